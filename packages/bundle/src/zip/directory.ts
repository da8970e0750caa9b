// Reads a zip's end record and central directory from a Blob, trusting nothing: every offset and size is checked
// against the file, so a lying or truncated zip is refused before a byte is inflated.
import { BundleError } from '../errors.ts';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_RECORD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_RECORD = 0x06064b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/**
 * Hosts in "version made by" whose zips separate folders with '\' (APPNOTE 4.4.2: 0 MS-DOS and Windows, 11 NTFS,
 * 14 VFAT). Windows PowerShell's Compress-Archive writes host 0 with backslash names; Info-ZIP and libarchive read
 * '\' as a separator for these hosts, and so does FieldFlash.
 */
const BACKSLASH_HOSTS = new Set([0, 11, 14]);

export interface ZipEntry {
  /** The name as stored (checked and normalised later). */
  rawName: string;
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  isDirectory: boolean;
  /** The zip was made on a system that separates folders with '\' (see BACKSLASH_HOSTS). */
  backslashSeparates: boolean;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Where the central directory starts: no entry's data may reach past it. */
  centralDirectoryOffset: number;
}

async function bytesAt(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

export function decodeEntryName(bytes: Uint8Array, utf8Flag: boolean): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Old zip tools wrote names in the DOS code page; keep them readable rather than refuse the bundle.
    if (utf8Flag) return new TextDecoder('utf-8').decode(bytes);
    return String.fromCharCode(...bytes);
  }
}

export async function startsLikeZip(blob: Blob): Promise<boolean> {
  const head = await bytesAt(blob, 0, 4);
  if (head.length < 4) return false;
  const sig = new DataView(head.buffer).getUint32(0, true);
  return sig === LOCAL_HEADER || sig === END_RECORD;
}

/** Reads the central directory of the zip in `blob`; `zipName` is used in errors. */
export async function readZipDirectory(blob: Blob, zipName: string): Promise<ZipDirectory> {
  const size = blob.size;
  const tailStart = Math.max(0, size - END_RECORD_SIZE - MAX_COMMENT);
  const tail = await bytesAt(blob, tailStart, size);
  const tv = new DataView(tail.buffer);
  let endAt = -1;
  for (let i = tail.length - END_RECORD_SIZE; i >= 0; i--) {
    if (tv.getUint32(i, true) === END_RECORD && i + END_RECORD_SIZE + tv.getUint16(i + 20, true) === tail.length) {
      endAt = i;
      break;
    }
  }
  if (endAt < 0) {
    if (await startsLikeZip(blob)) {
      throw new BundleError('truncated-zip', `${zipName} is cut short: it starts like a zip but its table of contents is missing.`, {
        file: zipName,
        hint: 'The download or copy did not finish. Fetch the release again and check its size.',
      });
    }
    throw new BundleError('not-a-zip', `${zipName} is not a zip file.`, {
      file: zipName,
      hint: 'Drop the release as a .zip, as its folder, or as a single ESP firmware .bin.',
    });
  }
  const corrupt = (why: string) =>
    new BundleError('corrupt-zip', `${zipName} is damaged: ${why}.`, {
      file: zipName,
      hint: 'Fetch the release again; if it keeps failing, ask its publisher for a new zip.',
    });
  const truncated = (why: string) =>
    new BundleError('truncated-zip', `${zipName} is cut short: ${why}.`, {
      file: zipName,
      hint: 'The download or copy did not finish. Fetch the release again and check its size.',
    });

  const endOffset = tailStart + endAt;
  if (tv.getUint16(endAt + 4, true) !== 0 || tv.getUint16(endAt + 6, true) !== 0) {
    throw new BundleError('unsupported-zip', `${zipName} is a multi-part (spanned) zip.`, {
      file: zipName,
      hint: 'Join the parts into one zip before dropping it.',
    });
  }
  let count = tv.getUint16(endAt + 10, true);
  let cdSize = tv.getUint32(endAt + 12, true);
  let cdOffset = tv.getUint32(endAt + 16, true);
  let cdEnd = endOffset;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = endAt - 20;
    if (locAt < 0 || tv.getUint32(locAt, true) !== ZIP64_LOCATOR) throw corrupt('its zip64 locator is missing');
    const z64Offset = Number(tv.getBigUint64(locAt + 8, true));
    if (z64Offset + 56 > endOffset) throw corrupt('its zip64 end record lies outside the file');
    const z64 = new DataView((await bytesAt(blob, z64Offset, z64Offset + 56)).buffer);
    if (z64.getUint32(0, true) !== ZIP64_END_RECORD) throw corrupt('its zip64 end record is missing');
    count = Number(z64.getBigUint64(32, true));
    cdSize = Number(z64.getBigUint64(40, true));
    cdOffset = Number(z64.getBigUint64(48, true));
    cdEnd = z64Offset;
  }
  if (cdOffset + cdSize > cdEnd) throw truncated(`its table of contents claims ${cdSize} bytes at offset ${cdOffset}, beyond the data`);

  const cd = await bytesAt(blob, cdOffset, cdOffset + cdSize);
  const v = new DataView(cd.buffer);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== CENTRAL_HEADER) throw corrupt(`entry ${i + 1} of ${count} in its table of contents is unreadable`);
    const flags = v.getUint16(p + 8, true);
    const nameLength = v.getUint16(p + 28, true);
    const extraLength = v.getUint16(p + 30, true);
    const commentLength = v.getUint16(p + 32, true);
    if (p + 46 + nameLength + extraLength + commentLength > cd.length) throw corrupt(`entry ${i + 1} runs past its table of contents`);
    const nameBytes = cd.slice(p + 46, p + 46 + nameLength);
    const entry: ZipEntry = {
      rawName: decodeEntryName(nameBytes, (flags & 0x800) !== 0),
      nameBytes,
      flags,
      method: v.getUint16(p + 10, true),
      crc32: v.getUint32(p + 16, true),
      compressedSize: v.getUint32(p + 20, true),
      uncompressedSize: v.getUint32(p + 24, true),
      localHeaderOffset: v.getUint32(p + 42, true),
      isDirectory: false,
      backslashSeparates: BACKSLASH_HOSTS.has(v.getUint8(p + 5)),
    };
    entry.isDirectory = entry.rawName.endsWith('/') || (entry.backslashSeparates && entry.rawName.endsWith('\\'));
    readZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), corrupt);
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return { entries, centralDirectoryOffset: cdOffset };
}

function readZip64Extra(entry: ZipEntry, extra: Uint8Array, corrupt: (why: string) => BundleError): void {
  const needs = [entry.uncompressedSize, entry.compressedSize, entry.localHeaderOffset].filter((x) => x === 0xffffffff).length;
  if (needs === 0) return;
  const v = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = v.getUint16(p, true);
    const len = v.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        if (q + 8 > p + 4 + len) throw corrupt(`the zip64 sizes of "${entry.rawName}" are incomplete`);
        const value = Number(v.getBigUint64(q, true));
        q += 8;
        return value;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    p += 4 + len;
  }
  throw corrupt(`"${entry.rawName}" needs zip64 sizes but has none`);
}

export interface LocalHeader {
  dataStart: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameBytes: Uint8Array;
}

/** Reads the local header in front of an entry's data. */
export async function readLocalHeader(blob: Blob, entry: ZipEntry): Promise<LocalHeader | undefined> {
  const at = entry.localHeaderOffset;
  const head = await bytesAt(blob, at, at + 30);
  if (head.length < 30) return undefined;
  const v = new DataView(head.buffer);
  if (v.getUint32(0, true) !== LOCAL_HEADER) return undefined;
  const nameLength = v.getUint16(26, true);
  const extraLength = v.getUint16(28, true);
  return {
    dataStart: at + 30 + nameLength + extraLength,
    flags: v.getUint16(6, true),
    crc32: v.getUint32(14, true),
    compressedSize: v.getUint32(18, true),
    uncompressedSize: v.getUint32(22, true),
    nameBytes: await bytesAt(blob, at + 30, at + 30 + nameLength),
  };
}
