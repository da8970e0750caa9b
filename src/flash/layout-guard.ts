// Refuses, before anything is erased or written, a layout the board could not start. "Erase everything" needs a
// bootloader where this chip looks for one and a partition table; "Keep data" reads the board's partition table
// (and its bootloader, when the release brings none) and checks each app lands on an app partition it fits.
import { PARTITION_TABLE_MAX_SIZE, PARTITION_TABLE_OFFSET } from '@fieldflash/bundle';
import {
  boardPartitionTable,
  bootloaderMisplaced,
  checkAppsInPartitions,
  checkBoardBootloader,
  describePartitions,
  erasingLeavesUnbootable,
} from '../serial/boot-layout-checks.ts';
import type { DeviceIdentity } from '../serial/device-identity.ts';
import type { EspSession } from '../serial/esp-session.ts';
import { missingForFirstInstall, type LayoutContents } from './layout-contents.ts';

/** Throws before the erase when the chip, erased, could not start this layout. `board`: "simulated ESP32". */
export function checkEraseAllLayout(contents: LayoutContents, identity: DeviceIdentity, board: string): void {
  const missing = missingForFirstInstall(contents);
  if (missing) throw erasingLeavesUnbootable(missing, board);
  const misplaced = bootloaderMisplaced(contents.bootloaderOffsets, identity.bootloaderOffset, identity.chipName);
  if (misplaced) throw misplaced;
}

export async function checkKeepDataLayout(session: EspSession, contents: LayoutContents, log: (line: string) => void): Promise<void> {
  // Data alone (a file system image, calibration) boots nothing and breaks nothing.
  if (contents.apps.length === 0) return;
  if (contents.partitionTable) {
    checkAppsInPartitions(contents.apps, contents.partitionTable, 'release');
  } else {
    log(`Reading the partition table on the board (${hex(PARTITION_TABLE_OFFSET)})…`);
    const table = boardPartitionTable(await session.readFlash(PARTITION_TABLE_OFFSET, PARTITION_TABLE_MAX_SIZE));
    log(`Partitions on the board: ${describePartitions(table)}.`);
    checkAppsInPartitions(contents.apps, table, 'board');
  }
  if (!contents.bootloader) {
    const offset = session.identity.bootloaderOffset;
    checkBoardBootloader(await session.readFlash(offset, 16), offset);
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;
