// The "vfs" data partition of a MicroPython build's partition table, where the board keeps its filesystem.
import { PARTITION_TABLE_OFFSET, readPartitionTable, type BootPartition } from '../boot/partition-table.ts';
import { SECTOR_SIZE, type NorFlash } from '../flash.ts';

export const VFS_LABEL = 'vfs';

export function findVfsPartition(flash: NorFlash): BootPartition | undefined {
  const table = readPartitionTable(flash.view(PARTITION_TABLE_OFFSET, 0xc00));
  if (!table.ok) return undefined;
  return table.partitions.find((p) => p.type === 0x01 && p.label === VFS_LABEL && p.offset + p.size <= flash.size && p.size >= 2 * SECTOR_SIZE);
}

/** Erases and programs only the sectors whose bytes change, as a flash-friendly filesystem would; returns how many. */
export function storeVfsImage(flash: NorFlash, partition: BootPartition, image: Uint8Array): number {
  if (image.length > partition.size) throw new RangeError(`the filesystem image (${image.length} bytes) does not fit the ${partition.size}-byte vfs partition`);
  let written = 0;
  for (let at = 0; at < image.length; at += SECTOR_SIZE) {
    const wanted = new Uint8Array(SECTOR_SIZE).fill(0xff);
    wanted.set(image.subarray(at, Math.min(at + SECTOR_SIZE, image.length)));
    const current = flash.view(partition.offset + at, SECTOR_SIZE);
    if (current.every((b, i) => b === wanted[i])) continue;
    flash.eraseSector(partition.offset + at);
    flash.program(partition.offset + at, wanted);
    written++;
  }
  return written;
}
