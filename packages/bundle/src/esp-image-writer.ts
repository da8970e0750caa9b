// Builds well-formed ESP images and partition tables for any chip family: test data and the demo release.
// The layout follows esp_image_header_t, esp_app_desc_t and esp_bootloader_desc_t as ESP-IDF writes them.
import { IMAGE_CHIP_ID, type ChipFamily } from './chip-family.ts';
import { PARTITION_TABLE_MAX_SIZE, partitionTableMd5, subtypeName } from './partition-table.ts';

export interface SegmentSpec {
  loadAddress: number;
  data: Uint8Array;
}

interface ImageSpec {
  chipFamily: Exclude<ChipFamily, 'ESP8266'>;
  /** Flash size the image is built for, in MiB: 1, 2, 4, 8, 16, 32, 64 or 128. */
  flashSizeMiB?: number;
  flashMode?: 'qio' | 'qout' | 'dio' | 'dout';
  /** Appends the SHA-256 of the image, as ESP-IDF does by default. */
  appendSha256?: boolean;
  entryAddress?: number;
  /** Pads the image with 0xFF to this many bytes (a slot-sized image). */
  padTo?: number;
}

export interface AppImageSpec extends ImageSpec {
  projectName: string;
  version: string;
  idfVersion?: string;
  secureVersion?: number;
  /** Build date and time as ESP-IDF prints them ("Sep  9 2023", "15:48:10"); fixed values keep output deterministic. */
  date?: string;
  time?: string;
  /** Bytes standing in for the program; the same input always gives the same image. */
  payload?: Uint8Array;
}

export interface BootloaderImageSpec extends ImageSpec {
  idfVersion?: string;
  version?: number;
  dateTime?: string;
}

/** Where each family maps flash data (DROM) and instruction RAM; images load their segments there. */
const MEMORY: Record<Exclude<ChipFamily, 'ESP8266'>, { drom: number; iram: number; dram: number }> = {
  ESP32: { drom: 0x3f400020, iram: 0x40080000, dram: 0x3ffb0000 },
  'ESP32-S2': { drom: 0x3f000020, iram: 0x40020000, dram: 0x3ffb0000 },
  'ESP32-S3': { drom: 0x3c000020, iram: 0x40370000, dram: 0x3fc88000 },
  'ESP32-C2': { drom: 0x3c000020, iram: 0x4037c000, dram: 0x3fca0000 },
  'ESP32-C3': { drom: 0x3c000020, iram: 0x4037c000, dram: 0x3fc80000 },
  'ESP32-C5': { drom: 0x42000020, iram: 0x40800000, dram: 0x40800000 },
  'ESP32-C6': { drom: 0x42800020, iram: 0x40800000, dram: 0x40800000 },
  'ESP32-C61': { drom: 0x42000020, iram: 0x40800000, dram: 0x40800000 },
  'ESP32-H2': { drom: 0x42800020, iram: 0x40800000, dram: 0x40800000 },
  'ESP32-P4': { drom: 0x40000020, iram: 0x4ff00000, dram: 0x4ff00000 },
};

const FLASH_MODES = { qio: 0, qout: 1, dio: 2, dout: 3 } as const;

function cString(target: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length >= length) throw new RangeError(`"${value}" does not fit ${length - 1} bytes`);
  target.set(bytes, offset);
}

function pad4(data: Uint8Array): Uint8Array {
  if (data.length % 4 === 0) return data;
  const out = new Uint8Array(data.length + (4 - (data.length % 4)));
  out.set(data);
  return out;
}

/** Deterministic filler that does not compress to nothing, standing in for machine code. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Assembles header, segments, checksum and the optional SHA-256 into one image. */
export async function writeEspImage(spec: ImageSpec, segments: SegmentSpec[]): Promise<Uint8Array> {
  const chipId = IMAGE_CHIP_ID[spec.chipFamily];
  if (chipId === undefined) throw new RangeError(`no image chip id for ${spec.chipFamily}`);
  const sizeCode = Math.log2(spec.flashSizeMiB ?? 4);
  if (!Number.isInteger(sizeCode) || sizeCode < 0 || sizeCode > 7) throw new RangeError(`flash size ${spec.flashSizeMiB} MiB has no header code`);
  const bodies = segments.map((s) => ({ loadAddress: s.loadAddress, data: pad4(s.data) }));
  const bodyLength = bodies.reduce((n, s) => n + 8 + s.data.length, 24);
  const checksumAt = bodyLength | 15;
  const appendSha = spec.appendSha256 ?? true;
  const imageLength = checksumAt + 1 + (appendSha ? 32 : 0);
  const out = new Uint8Array(Math.max(imageLength, spec.padTo ?? 0)).fill(0xff);
  out.fill(0, 0, imageLength);
  const v = new DataView(out.buffer);
  out[0] = 0xe9;
  out[1] = bodies.length;
  out[2] = FLASH_MODES[spec.flashMode ?? 'dio'];
  out[3] = (sizeCode << 4) | 0x0f; // 0x0f: 80 MHz, as the real images in use declare
  v.setUint32(4, spec.entryAddress ?? MEMORY[spec.chipFamily].iram + 0x400, true);
  out[8] = 0xee; // no write-protect pin
  v.setUint16(12, chipId, true);
  v.setUint16(17, 0x018f, true); // max chip revision v3.99, as ESP-IDF 5 writes it
  out[23] = appendSha ? 1 : 0;
  let at = 24;
  let checksum = 0xef;
  for (const s of bodies) {
    v.setUint32(at, s.loadAddress, true);
    v.setUint32(at + 4, s.data.length, true);
    out.set(s.data, at + 8);
    for (const b of s.data) checksum ^= b;
    at += 8 + s.data.length;
  }
  out[checksumAt] = checksum;
  if (appendSha) {
    const digest = await crypto.subtle.digest('SHA-256', out.subarray(0, checksumAt + 1));
    out.set(new Uint8Array(digest), checksumAt + 1);
  }
  return out;
}

/** An application image whose first segment starts with esp_app_desc_t, as every ESP-IDF app does. */
export async function writeAppImage(spec: AppImageSpec): Promise<Uint8Array> {
  const payload = spec.payload ?? pseudoRandomBytes(4096, 0x5eed);
  const desc = new Uint8Array(256);
  const v = new DataView(desc.buffer);
  v.setUint32(0, 0xabcd5432, true);
  v.setUint32(4, spec.secureVersion ?? 0, true);
  cString(desc, 16, 32, spec.version);
  cString(desc, 48, 32, spec.projectName);
  cString(desc, 80, 16, spec.time ?? '00:00:00');
  cString(desc, 96, 16, spec.date ?? 'Jan  1 2025');
  cString(desc, 112, 32, spec.idfVersion ?? 'v5.1');
  // The ELF's SHA-256 stands for the build; derive it from the payload so it changes with the content.
  desc.set(new Uint8Array(await crypto.subtle.digest('SHA-256', payload as BufferSource)), 144);
  const drom = new Uint8Array(desc.length + payload.length);
  drom.set(desc);
  drom.set(payload, desc.length);
  const memory = MEMORY[spec.chipFamily];
  return writeEspImage(spec, [
    { loadAddress: memory.drom, data: drom },
    { loadAddress: memory.dram, data: pseudoRandomBytes(512, payload.length + 1) },
    { loadAddress: memory.iram, data: pseudoRandomBytes(1024, payload.length + 2) },
  ]);
}

/** A second-stage bootloader image carrying esp_bootloader_desc_t (ESP-IDF 5.1+). */
export async function writeBootloaderImage(spec: BootloaderImageSpec): Promise<Uint8Array> {
  const desc = new Uint8Array(80);
  desc[0] = 0x50;
  new DataView(desc.buffer).setUint32(4, spec.version ?? 1, true);
  cString(desc, 8, 32, spec.idfVersion ?? 'v5.1');
  cString(desc, 40, 24, spec.dateTime ?? 'Jan  1 2025 00:00:00');
  const memory = MEMORY[spec.chipFamily];
  return writeEspImage({ appendSha256: true, ...spec }, [
    { loadAddress: memory.dram, data: desc },
    { loadAddress: memory.iram, data: pseudoRandomBytes(2048, 0xb007) },
  ]);
}

export interface PartitionSpec {
  label: string;
  type: 'app' | 'data' | number;
  /** 'factory', 'ota_0'…'ota_15', 'test', 'ota', 'phy', 'nvs', 'coredump', 'nvs_keys', 'spiffs', 'fat', 'littlefs' or a number. */
  subtype: string | number;
  offset: number;
  size: number;
  encrypted?: boolean;
  readonly?: boolean;
}

function subtypeId(typeId: number, subtype: string | number): number {
  if (typeof subtype === 'number') return subtype;
  for (let id = 0; id < 256; id++) if (subtypeName(typeId, id) === subtype) return id;
  throw new RangeError(`unknown partition subtype "${subtype}"`);
}

/** A partition table as ESP-IDF's gen_esp32part.py writes it: entries, the MD5 entry, 0xFF up to 3 KiB. */
export function writePartitionTable(partitions: PartitionSpec[], options: { md5?: boolean } = {}): Uint8Array {
  const out = new Uint8Array(PARTITION_TABLE_MAX_SIZE).fill(0xff);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const p of partitions) {
    const typeId = p.type === 'app' ? 0 : p.type === 'data' ? 1 : p.type;
    out.fill(0, at, at + 32);
    out[at] = 0xaa;
    out[at + 1] = 0x50;
    out[at + 2] = typeId;
    out[at + 3] = subtypeId(typeId, p.subtype);
    v.setUint32(at + 4, p.offset, true);
    v.setUint32(at + 8, p.size, true);
    cString(out, at + 12, 17, p.label);
    v.setUint32(at + 28, (p.encrypted ? 1 : 0) | (p.readonly ? 2 : 0), true);
    at += 32;
  }
  if (options.md5 ?? true) {
    out[at] = 0xeb;
    out[at + 1] = 0xeb;
    out.set(partitionTableMd5(out.subarray(0, at)), at + 16);
  }
  return out;
}
