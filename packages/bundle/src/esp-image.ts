// Reads an ESP firmware image (esp_image_header_t and what follows) without trusting any of it.
import { chipFamilyForImageChipId, type ChipFamily } from './chip-family.ts';

export const ESP_IMAGE_MAGIC = 0xe9;
const APP_DESC_MAGIC = 0xabcd5432;
const BOOTLOADER_DESC_MAGIC = 0x50;
const HEADER_SIZE = 24;
const SEGMENT_HEADER_SIZE = 8;
const MAX_SEGMENTS = 16;

export type FlashMode = 'qio' | 'qout' | 'dio' | 'dout' | 'unknown';

export interface ImageSegment {
  loadAddress: number;
  length: number;
  /** Offset of the segment's data within the image. */
  dataOffset: number;
}

/** esp_app_desc_t: what the build system wrote into the application. */
export interface AppDescription {
  projectName: string;
  version: string;
  idfVersion: string;
  secureVersion: number;
  date: string;
  time: string;
  /** First 8 bytes of the ELF's SHA-256, hex, as IDF prints it. */
  elfSha256: string;
}

/** esp_bootloader_desc_t (ESP-IDF 5.1+). */
export interface BootloaderDescription {
  version: number;
  idfVersion: string;
  dateTime: string;
}

export interface EspImageInfo {
  chipId: number;
  /** Undefined when the chip id is not one FieldFlash knows. */
  chipFamily: ChipFamily | undefined;
  segmentCount: number;
  segments: ImageSegment[];
  entryAddress: number;
  flashMode: FlashMode;
  /** Flash size the image was built for, in bytes; undefined if the header's code is not a known size. */
  flashSize: number | undefined;
  minChipRevision: number;
  hashAppended: boolean;
  /** Length of the image proper (segments, checksum and appended SHA-256); trailing padding excluded. */
  imageLength: number;
  checksumValid: boolean;
  /** Whether the appended SHA-256 matches the image; set by verifyAppendedHash, undefined when no hash is appended. */
  appendedHashValid?: boolean;
  app?: AppDescription;
  bootloader?: BootloaderDescription;
}

export class EspImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EspImageError';
  }
}

const FLASH_MODES: FlashMode[] = ['qio', 'qout', 'dio', 'dout'];

export function isEspImage(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_SIZE && bytes[0] === ESP_IMAGE_MAGIC;
}

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const slice = bytes.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return new TextDecoder('utf-8', { fatal: false }).decode(end >= 0 ? slice.subarray(0, end) : slice);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const APP_DESC_SIZE = 256;

function appDescription(bytes: Uint8Array, view: DataView, d: number): AppDescription {
  return {
    secureVersion: view.getUint32(d + 4, true),
    version: cString(bytes, d + 16, 32),
    projectName: cString(bytes, d + 48, 32),
    time: cString(bytes, d + 80, 16),
    date: cString(bytes, d + 96, 16),
    idfVersion: cString(bytes, d + 112, 32),
    elfSha256: hex(bytes.subarray(d + 144, d + 152)),
  };
}

/** How many leading bytes of an image readEspAppHeader needs. */
export const ESP_APP_HEADER_LENGTH = HEADER_SIZE + SEGMENT_HEADER_SIZE + APP_DESC_SIZE;

/**
 * What the first ESP_APP_HEADER_LENGTH bytes of an ESP app image say about it: the chip its header names and the
 * app description at the start of its first segment. Undefined when the bytes are not the start of an ESP app image
 * (another kind of file, or an ESP image without an app description), so a device can read a streamed upload's
 * claims without holding the whole image.
 */
export function readEspAppHeader(bytes: Uint8Array): { chipId: number; chipFamily: ChipFamily | undefined; app: AppDescription } | undefined {
  if (bytes.length < ESP_APP_HEADER_LENGTH || bytes[0] !== ESP_IMAGE_MAGIC) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const segmentCount = bytes[1]!;
  const firstLength = view.getUint32(HEADER_SIZE + 4, true);
  if (segmentCount === 0 || segmentCount > MAX_SEGMENTS || firstLength < APP_DESC_SIZE) return undefined;
  const d = HEADER_SIZE + SEGMENT_HEADER_SIZE;
  if (view.getUint32(d, true) !== APP_DESC_MAGIC) return undefined;
  const chipId = view.getUint16(12, true);
  return { chipId, chipFamily: chipFamilyForImageChipId(chipId), app: appDescription(bytes, view, d) };
}

/**
 * Parses the header, walks the segments and reads the app or bootloader description.
 * Throws EspImageError (saying what is wrong) when the bytes are not a well-formed ESP32-family image.
 */
export function inspectEspImage(bytes: Uint8Array): EspImageInfo {
  if (bytes.length < HEADER_SIZE) throw new EspImageError(`too short for an ESP image header (${bytes.length} bytes, need ${HEADER_SIZE})`);
  if (bytes[0] !== ESP_IMAGE_MAGIC) {
    throw new EspImageError(`not an ESP image: first byte is 0x${bytes[0]!.toString(16).padStart(2, '0')}, expected 0xe9`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const segmentCount = bytes[1]!;
  if (segmentCount === 0 || segmentCount > MAX_SEGMENTS) throw new EspImageError(`implausible segment count ${segmentCount}`);
  const flashMode = FLASH_MODES[bytes[2]!] ?? 'unknown';
  const sizeCode = bytes[3]! >> 4;
  const flashSize = sizeCode <= 7 ? (1 << sizeCode) * 1024 * 1024 : undefined;
  const entryAddress = view.getUint32(4, true);
  const chipId = view.getUint16(12, true);
  const minChipRevision = bytes[14]!;
  const hashAppended = bytes[23] === 1;

  const segments: ImageSegment[] = [];
  let offset = HEADER_SIZE;
  let checksum = 0xef;
  for (let i = 0; i < segmentCount; i++) {
    if (offset + SEGMENT_HEADER_SIZE > bytes.length) throw new EspImageError(`truncated: segment ${i} header lies beyond the end of the image`);
    const loadAddress = view.getUint32(offset, true);
    const length = view.getUint32(offset + 4, true);
    const dataOffset = offset + SEGMENT_HEADER_SIZE;
    if (dataOffset + length > bytes.length) {
      throw new EspImageError(`truncated: segment ${i} claims ${length} bytes at offset ${dataOffset}, image has ${bytes.length}`);
    }
    for (let j = dataOffset; j < dataOffset + length; j++) checksum ^= bytes[j]!;
    segments.push({ loadAddress, length, dataOffset });
    offset = dataOffset + length;
  }
  // The checksum byte sits at the last byte of a 16-byte-aligned block after the segments.
  const checksumOffset = (offset | 15);
  if (checksumOffset >= bytes.length) throw new EspImageError('truncated: the image ends before its checksum byte');
  const checksumValid = bytes[checksumOffset] === checksum;
  const imageLength = checksumOffset + 1 + (hashAppended ? 32 : 0);
  if (imageLength > bytes.length) throw new EspImageError('truncated: the appended SHA-256 is missing');

  const info: EspImageInfo = {
    chipId,
    chipFamily: chipFamilyForImageChipId(chipId),
    segmentCount,
    segments,
    entryAddress,
    flashMode,
    flashSize,
    minChipRevision,
    hashAppended,
    imageLength,
    checksumValid,
  };
  const first = segments[0];
  if (first && first.length >= APP_DESC_SIZE && view.getUint32(first.dataOffset, true) === APP_DESC_MAGIC) {
    info.app = appDescription(bytes, view, first.dataOffset);
  } else if (first && first.length >= 80 && bytes[first.dataOffset] === BOOTLOADER_DESC_MAGIC) {
    const d = first.dataOffset;
    info.bootloader = {
      version: view.getUint32(d + 4, true),
      idfVersion: cString(bytes, d + 8, 32),
      dateTime: cString(bytes, d + 40, 24),
    };
  }
  return info;
}

/**
 * Checks the SHA-256 that ESP-IDF appends to an image (the bootloader refuses the image when it does not match).
 * Reads `bytes` only before its first await, so the caller may reuse the buffer as soon as this returns.
 */
export async function verifyAppendedHash(bytes: Uint8Array, info: EspImageInfo): Promise<boolean | undefined> {
  if (!info.hashAppended) return undefined;
  const end = info.imageLength - 32;
  const stored = bytes.slice(end, info.imageLength);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.subarray(0, end) as Uint8Array<ArrayBuffer>));
  return digest.every((b, i) => b === stored[i]);
}
