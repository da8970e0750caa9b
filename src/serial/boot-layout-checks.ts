// Refuses, before anything is erased or written, a write that would leave the board unable to start its app.
import { parsePartitionTable, PartitionTableError, type Partition, type PartitionTable } from '@fieldflash/bundle';
import { FlashProblem, hexOffset } from './flash-problems.ts';

export interface AppPart {
  name: string;
  offset: number;
  size: number;
}

const NOTHING_WRITTEN = 'Nothing was written.';
const INSTALL_COMPLETE =
  'Install a complete release (bootloader, partition table and app) with "Erase everything" first; later updates can keep data.';

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(2)} MiB`;
  return `${+(bytes / 1024).toFixed(1)} KiB`;
}

function describePartition(p: Partition): string {
  const kind = p.type === 'app' ? `${p.subtype} app` : p.subtype;
  return `${p.label} (${kind}, ${hexOffset(p.offset)}, ${size(p.size)})`;
}

/** "nvs (nvs, 0x09000, 24 KiB), factory (factory app, 0x10000, 4 MiB)". */
export function describePartitions(table: PartitionTable): string {
  return table.partitions.map(describePartition).join(', ');
}

/** "Erase everything" with a layout that has no bootloader or no partition table: the chip would not start. */
export function erasingLeavesUnbootable(missing: string, board: string): FlashProblem {
  return new FlashProblem(
    'cannot-boot',
    `Erasing everything would leave the ${board} unable to start: this release has ${missing}, only the app. Nothing was erased.`,
    'Choose "Keep data" to write the app only, over the bootloader and partition table already on the board; or choose a complete release.',
  );
}

/** "Erase everything" with a bootloader written where this chip's ROM does not look for it. */
export function bootloaderMisplaced(offsets: readonly number[], expected: number, chip: string): FlashProblem | undefined {
  if (offsets.length === 0 || offsets.includes(expected)) return undefined;
  return new FlashProblem(
    'cannot-boot',
    `This release writes its bootloader at ${offsets.map(hexOffset).join(', ')}, but the ${chip} starts its bootloader from ${hexOffset(expected)}: after erasing everything it could not start. Nothing was erased.`,
    `Choose a release built for the ${chip}, or ask the release's publisher to correct the bootloader's offset in its manifest.`,
  );
}

/** The partition table the board holds at 0x8000, read back; refuses a blank or damaged one. */
export function boardPartitionTable(bytes: Uint8Array): PartitionTable {
  if (bytes.subarray(0, 32).every((b) => b === 0xff)) {
    throw new FlashProblem(
      'cannot-boot',
      `The board has no partition table (its flash is blank at ${hexOffset(0x8000)}), and this release does not bring one: the app alone cannot start. ${NOTHING_WRITTEN}`,
      INSTALL_COMPLETE,
    );
  }
  try {
    return parsePartitionTable(bytes);
  } catch (error) {
    const why = error instanceof PartitionTableError ? error.message : String(error);
    throw new FlashProblem(
      'cannot-boot',
      `The board's partition table at ${hexOffset(0x8000)} is not valid (${why}), and this release does not bring one. ${NOTHING_WRITTEN}`,
      INSTALL_COMPLETE,
    );
  }
}

/** The first bytes at the chip's bootloader offset, read back: 0xE9 starts an image. */
export function checkBoardBootloader(firstBytes: Uint8Array, offset: number): void {
  if (firstBytes[0] === 0xe9) return;
  const blank = firstBytes.every((b) => b === 0xff);
  throw new FlashProblem(
    'cannot-boot',
    `The board has no bootloader at ${hexOffset(offset)} (${blank ? 'its flash is blank there' : 'what is there is not a bootloader image'}), and this release does not bring one. ${NOTHING_WRITTEN}`,
    INSTALL_COMPLETE,
  );
}

/** Each app must start exactly at an app partition and fit inside it, or the bootloader will not find it whole. */
export function checkAppsInPartitions(apps: readonly AppPart[], table: PartitionTable, source: 'board' | 'release'): void {
  const whose = source === 'board' ? "The board's partitions" : "The partitions in the release's partition table";
  const next =
    source === 'board'
      ? 'Choose a release built for the partition table on this board, or install a complete release with "Erase everything".'
      : 'The release does not match its own partition table: ask its publisher for a corrected release.';
  for (const app of apps) {
    const partition = table.partitions.find((p) => p.offset === app.offset);
    if (!partition || partition.type !== 'app') {
      const there = partition ? `, where the data partition "${partition.label}" starts` : '';
      throw new FlashProblem(
        'cannot-boot',
        `${app.name} would be written at ${hexOffset(app.offset)}${there}, but no app partition starts there. ${whose}: ${describePartitions(table)}. ${NOTHING_WRITTEN}`,
        next,
      );
    }
    if (app.size > partition.size) {
      // Sizes that round alike are told in bytes, or "1.5 MiB does not fit in 1.5 MiB" would read as nonsense.
      const alike = size(app.size) === size(partition.size);
      const [appSize, room] = alike ? [`${app.size} bytes`, `${partition.size} bytes`] : [size(app.size), size(partition.size)];
      throw new FlashProblem(
        'cannot-boot',
        `${app.name} (${appSize}) does not fit in the app partition "${partition.label}" at ${hexOffset(partition.offset)} (${room}). ${whose}: ${describePartitions(table)}. ${NOTHING_WRITTEN}`,
        next,
      );
    }
  }
}
