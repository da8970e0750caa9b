// Before "Keep data" writes an app over what the board holds: read the board's partition table (and its
// bootloader, when the release brings none) and refuse a write the bootloader could not start.
import { PARTITION_TABLE_MAX_SIZE, PARTITION_TABLE_OFFSET } from '@fieldflash/bundle';
import { boardPartitionTable, checkAppsInPartitions, checkBoardBootloader, describePartitions } from '../serial/boot-layout-checks.ts';
import type { EspSession } from '../serial/esp-session.ts';
import type { LayoutContents } from './layout-contents.ts';

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
