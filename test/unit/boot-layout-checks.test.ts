// What a release's layout brings to the chip, and the refusals made before an erase or a write that could not boot.
import { describe, expect, test } from 'vitest';
import { parsePartitionTable, writePartitionTable, type Build, type ReleaseFile } from '@fieldflash/bundle';
import { boardPartitionTable, bootloaderMisplaced, checkAppsInPartitions, checkBoardBootloader, erasingLeavesUnbootable } from '../../src/serial/boot-layout-checks.ts';
import { FlashProblem } from '../../src/serial/flash-problems.ts';
import { expectedApp, layoutContents, missingForFirstInstall } from '../../src/flash/layout-contents.ts';

const TABLE = writePartitionTable([
  { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x5000 },
  { label: 'otadata', type: 'data', subtype: 'ota', offset: 0xe000, size: 0x2000 },
  { label: 'ota_0', type: 'app', subtype: 'ota_0', offset: 0x10000, size: 0x180000 },
  { label: 'ota_1', type: 'app', subtype: 'ota_1', offset: 0x190000, size: 0x180000 },
]);
const PARTITIONS = 'nvs (nvs, 0x09000, 20 KiB), otadata (ota, 0x0e000, 8 KiB), ota_0 (ota_0 app, 0x10000, 1.5 MiB), ota_1 (ota_1 app, 0x190000, 1.5 MiB)';

function refusal(run: () => void): FlashProblem {
  try {
    run();
  } catch (error) {
    if (error instanceof FlashProblem) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

type FileInfo = Pick<ReleaseFile, 'path' | 'size' | 'role' | 'image' | 'partitionTable' | 'embedded'>;
const app = { projectName: 'blink', version: '1.2.0', idfVersion: 'v5.3', secureVersion: 0, date: '', time: '', elfSha256: '' };
const image = (withApp: boolean) => ({ app: withApp ? app : undefined }) as unknown as ReleaseFile['image'];
const build = (...parts: Array<[string, number]>): Build => ({ target: { chipFamily: 'ESP32' }, flash: { parts: parts.map(([path, offset]) => ({ path, offset })), erase: 'all' } });

describe('layout contents', () => {
  const files: FileInfo[] = [
    { path: 'build/bootloader/bootloader.bin', size: 28_000, role: 'bootloader', image: image(false) },
    { path: 'build/partition_table/partition-table.bin', size: 3072, role: 'partition-table', partitionTable: parsePartitionTable(TABLE) },
    { path: 'build/blink.bin', size: 900_000, role: 'app', image: image(true) },
  ];

  test('a complete release has everything a first install needs', () => {
    const contents = layoutContents(files, build(['build/bootloader/bootloader.bin', 0x1000], ['build/partition_table/partition-table.bin', 0x8000], ['build/blink.bin', 0x10000]));
    expect(missingForFirstInstall(contents)).toBeUndefined();
    expect(contents.apps).toEqual([{ name: 'blink.bin', offset: 0x10000, size: 900_000, app }]);
    expect(expectedApp(contents)).toEqual({ projectName: 'blink', version: '1.2.0' });
  });

  test('an app alone misses the bootloader and the table; an image without app description counts as a bootloader', () => {
    expect(missingForFirstInstall(layoutContents(files, build(['build/blink.bin', 0x10000])))).toBe('no bootloader and no partition table');
    const misplaced = [{ ...files[0]!, role: 'app' as const }, files[2]!];
    const contents = layoutContents(misplaced, build(['build/bootloader/bootloader.bin', 0x0], ['build/blink.bin', 0x10000]));
    expect(missingForFirstInstall(contents)).toBe('no partition table');
    expect(contents.bootloaderOffsets).toEqual([0x0]);
  });

  test('a merged image brings what it holds', () => {
    const merged: FileInfo = {
      path: 'merged.bin',
      size: 1_000_000,
      role: 'other',
      embedded: [
        { offset: 0x1000, role: 'bootloader' },
        { offset: 0x8000, role: 'partition-table', partitionTable: parsePartitionTable(TABLE) },
        { offset: 0x10000, role: 'app', image: { ...image(true)!, imageLength: 900_000 } },
      ],
    };
    const contents = layoutContents([merged], build(['merged.bin', 0x0]));
    expect(missingForFirstInstall(contents)).toBeUndefined();
    expect(contents.apps[0]).toMatchObject({ offset: 0x10000, size: 900_000 });
    expect(contents.bootloaderOffsets).toEqual([0x1000]);
  });
});

describe('refusals', () => {
  test('erasing everything for an app alone', () => {
    const problem = erasingLeavesUnbootable('no bootloader and no partition table', 'simulated ESP32-C3');
    expect(problem.code).toBe('cannot-boot');
    expect(problem.message).toBe('Erasing everything would leave the simulated ESP32-C3 unable to start: this release has no bootloader and no partition table, only the app. Nothing was erased.');
  });

  test('a bootloader where this chip does not look for one', () => {
    expect(bootloaderMisplaced([0x1000], 0x1000, 'ESP32')).toBeUndefined();
    expect(bootloaderMisplaced([], 0x0, 'ESP32-C3')).toBeUndefined();
    expect(bootloaderMisplaced([0x1000], 0x0, 'ESP32-C3')?.message).toBe(
      'This release writes its bootloader at 0x01000, but the ESP32-C3 starts its bootloader from 0x00000: after erasing everything it could not start. Nothing was erased.',
    );
  });

  test('a blank or damaged partition table on the board', () => {
    expect(refusal(() => boardPartitionTable(new Uint8Array(0xc00).fill(0xff))).message).toMatch(/^The board has no partition table \(its flash is blank at 0x08000\)/);
    const damaged = TABLE.slice();
    damaged[32] = 0x12;
    expect(refusal(() => boardPartitionTable(damaged)).message).toMatch(/^The board's partition table at 0x08000 is not valid \(entry 1 at byte 32 is neither/);
    expect(boardPartitionTable(TABLE).partitions).toHaveLength(4);
  });

  test('no bootloader on the board', () => {
    expect(() => checkBoardBootloader(Uint8Array.of(0xe9, 3, 2, 0x20), 0x1000)).not.toThrow();
    expect(refusal(() => checkBoardBootloader(new Uint8Array(16).fill(0xff), 0x0)).message).toMatch(/^The board has no bootloader at 0x00000 \(its flash is blank there\)/);
  });

  test('an app off a partition start, on a data partition, or too big; names the partitions', () => {
    const table = parsePartitionTable(TABLE);
    expect(() => checkAppsInPartitions([{ name: 'blink.bin', offset: 0x190000, size: 0x100000 }], table, 'board')).not.toThrow();
    expect(refusal(() => checkAppsInPartitions([{ name: 'blink.bin', offset: 0x20000, size: 1000 }], table, 'board')).message).toBe(
      `blink.bin would be written at 0x20000, but no app partition starts there. The board's partitions: ${PARTITIONS}. Nothing was written.`,
    );
    expect(refusal(() => checkAppsInPartitions([{ name: 'blink.bin', offset: 0x9000, size: 1000 }], table, 'board')).message).toMatch(
      /^blink\.bin would be written at 0x09000, where the data partition "nvs" starts, but no app partition starts there\./,
    );
    const big = refusal(() => checkAppsInPartitions([{ name: 'blink.bin', offset: 0x10000, size: 0x180001 }], table, 'release'));
    expect(refusal(() => checkAppsInPartitions([{ name: 'blink.bin', offset: 0x10000, size: 0x200000 }], table, 'board')).message).toMatch(/^blink\.bin \(2 MiB\) does not fit in the app partition "ota_0" at 0x10000 \(1\.5 MiB\)\./);
    expect(big.message).toBe(`blink.bin (1572865 bytes) does not fit in the app partition "ota_0" at 0x10000 (1572864 bytes). The partitions in the release's partition table: ${PARTITIONS}. Nothing was written.`);
  });
});
