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

async function inspectImage(bytes: Uint8Array): Promise<{ image?: EspImageInfo; problem?: string }> {
  try {
    const image = inspectEspImage(bytes);
    const hashValid = await verifyAppendedHash(bytes, image);
    if (hashValid !== undefined) image.appendedHashValid = hashValid;
    return { image };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/** A merged image (as `esptool merge_bin` writes) holds a partition table at 0x8000 and the app after it. */
async function inspectMerged(bytes: Uint8Array): Promise<EmbeddedPart[] | undefined> {
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
    const { image } = await inspectImage(bytes.subarray(offset, PARTITION_TABLE_OFFSET));
    if (image) {
      parts.push({ offset, role: 'bootloader', image });
      break;
    }
  }
  for (const p of table.partitions.filter((x) => x.type === 'app' && x.offset < bytes.length)) {
    if (bytes[p.offset] !== 0xe9) continue;
    const { image } = await inspectImage(bytes.subarray(p.offset, Math.min(bytes.length, p.offset + p.size)));
    if (image) parts.push({ offset: p.offset, role: 'app', image });
  }
  return parts.sort((a, b) => a.offset - b.offset);
}

export async function loadFile(path: string, bytes: Uint8Array, data: Blob, maxTextSize: number): Promise<LoadedFile> {
  const file: LoadedFile = { path, size: bytes.length, sha256: await sha256Hex(bytes), data, head: bytes.slice(0, 64) };
  if (isEspImage(bytes)) {
    const { image, problem } = await inspectImage(bytes);
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
    const embedded = await inspectMerged(bytes);
    if (embedded) file.embedded = embedded;
  }
  if (bytes.length <= maxTextSize && looksLikeText(bytes)) {
    try {
      file.text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Not UTF-8, so not a manifest.
    }
  }
  return file;
}
