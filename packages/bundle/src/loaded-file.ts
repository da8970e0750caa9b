// The first pass over every file of a bundle, while its bytes are in memory once: digest it, and inspect what
// it is (ESP image, partition table, merged flash image, possible manifest) so that no file is read twice.
import { bootloaderOffset, CHIP_FAMILIES } from './chip-family.ts';
import { sha256Hex } from './digest.ts';
import { inspectEspImage, isEspImage, verifyAppendedHash, type EspImageInfo } from './esp-image.ts';
import { isPartitionTable, parsePartitionTable, PARTITION_TABLE_OFFSET, type PartitionTable } from './partition-table.ts';
import type { EmbeddedPart } from './release.ts';

export interface LoadedFile {
  path: string;
  size: number;
  sha256: string;
  data: Blob;
  image?: EspImageInfo;
  /** Why a file starting like an ESP image could not be read as one. */
  imageProblem?: string;
  partitionTable?: PartitionTable;
  partitionTableProblem?: string;
  embedded?: EmbeddedPart[];
  /** The first 64 bytes, for recognising content. */
  head: Uint8Array;
  /** Text of small files that may be manifests (JSON or key=value). */
  text?: string;
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b < 9 || (b > 13 && b < 32)) return false;
  }
  return true;
}

/** Inspects an ESP image; the appended-hash check runs on in the background (pushed to `pending`). */
function inspectImage(bytes: Uint8Array, pending: Promise<unknown>[]): { image?: EspImageInfo; problem?: string } {
  try {
    const image = inspectEspImage(bytes);
    pending.push(verifyAppendedHash(bytes, image).then((valid) => {
      if (valid !== undefined) image.appendedHashValid = valid;
    }));
    return { image };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/** A merged image (as `esptool merge_bin` writes) holds a partition table at 0x8000 and the app after it. */
function inspectMerged(bytes: Uint8Array, pending: Promise<unknown>[]): EmbeddedPart[] | undefined {
  const tableBytes = bytes.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + 0xc00);
  if (bytes.length <= 0x10000 || !isPartitionTable(tableBytes)) return undefined;
  let table: PartitionTable;
  try {
    table = parsePartitionTable(tableBytes);
  } catch {
    return undefined;
  }
  const parts: EmbeddedPart[] = [{ offset: PARTITION_TABLE_OFFSET, role: 'partition-table', partitionTable: table }];
  const bootOffsets = new Set(CHIP_FAMILIES.map(bootloaderOffset));
  for (const offset of [...bootOffsets].sort((a, b) => a - b)) {
    if (bytes[offset] !== 0xe9) continue;
    const { image } = inspectImage(bytes.subarray(offset, PARTITION_TABLE_OFFSET), pending);
    if (image) {
      parts.push({ offset, role: 'bootloader', image });
      break;
    }
  }
  for (const p of table.partitions.filter((x) => x.type === 'app' && x.offset < bytes.length)) {
    if (bytes[p.offset] !== 0xe9) continue;
    const { image } = inspectImage(bytes.subarray(p.offset, Math.min(bytes.length, p.offset + p.size)), pending);
    if (image) parts.push({ offset: p.offset, role: 'app', image });
  }
  return parts.sort((a, b) => a.offset - b.offset);
}

/**
 * Reads everything it needs from `bytes` before returning (the caller reuses or discards the buffer once it returns);
 * the SHA-256 digests, which WebCrypto computes off the main thread, finish in the returned promise.
 */
export function loadFile(path: string, bytes: Uint8Array, data: Blob, maxTextSize: number): Promise<LoadedFile> {
  const pending: Promise<unknown>[] = [];
  const digest = sha256Hex(bytes);
  const file: LoadedFile = { path, size: bytes.length, sha256: '', data, head: bytes.slice(0, 64) };
  if (isEspImage(bytes)) {
    const { image, problem } = inspectImage(bytes, pending);
    if (image) file.image = image;
    else file.imageProblem = problem;
  }
  if (isPartitionTable(bytes)) {
    try {
      file.partitionTable = parsePartitionTable(bytes);
    } catch (err) {
      file.partitionTableProblem = (err as Error).message;
    }
  }
  if (bytes.length > 0x10000 && (bytes[0] === 0xe9 || bytes[0] === 0xff)) {
    const embedded = inspectMerged(bytes, pending);
    if (embedded) file.embedded = embedded;
  }
  if (bytes.length <= maxTextSize && looksLikeText(bytes)) {
    try {
      file.text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Not UTF-8, so not a manifest.
    }
  }
  return Promise.all([digest, ...pending]).then(([sha256]) => {
    file.sha256 = sha256 as string;
    return file;
  });
}
