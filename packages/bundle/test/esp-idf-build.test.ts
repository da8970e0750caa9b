// ESP-IDF build outputs zipped without flasher_args.json: the real fixture's parts renamed as idf.py names them,
// and crafted builds for every chip family and for layouts that cannot be placed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bootloaderOffset, CHIP_FAMILIES, describeOffsetOrigin, readBundle, writeAppImage, writeBootloaderImage, writePartitionTable,
  type ChipFamily, type PartitionSpec, type Release,
} from '../src/index.ts';
import { asFolder, bundleErrorOf, FIXTURE_DIR, flip, zipFiles, type BundleFile } from './helpers.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(`${FIXTURE_DIR}firmware_esp-idf-v5.1/${name}`));

/** The fixture's parts as idf.py leaves them in build/, with or without the bootloader/ and partition_table/ folders. */
function idfOutput(withFolders: boolean, prefix = ''): BundleFile[] {
  return [
    { path: `${prefix}${withFolders ? 'bootloader/' : ''}bootloader.bin`, data: fixture('bootloader.bin') },
    { path: `${prefix}${withFolders ? 'partition_table/' : ''}partition-table.bin`, data: fixture('partition-table.bin') },
    { path: `${prefix}Application.bin`, data: fixture('Application.bin') },
  ];
}

const layout = (release: Release) => release.builds[0]!.flash!.parts.map((p) => [p.path, p.offset, describeOffsetOrigin(p.origin!)]);

describe('the real ESP-IDF v5.1 build, zipped without flasher_args.json', () => {
  for (const withFolders of [false, true]) {
    it(`is one complete first-install release ${withFolders ? 'with' : 'without'} the bootloader/ and partition_table/ folders`, async () => {
      const files = idfOutput(withFolders);
      const [release, ...more] = await readBundle({ name: 'logibus-build.zip', data: await zipFiles(files) });
      expect(more).toHaveLength(0);
      expect(release!.format).toBe('esp-idf-build');
      expect(release!.product).toBe('Application');
      expect(release!.declaredVersion).toBe('v0.8-7-g333c02c-dirty');
      const [boot, table, app] = files.map((f) => f.path);
      expect(layout(release!)).toEqual([
        [boot, 0x1000, 'bootloader header: chip ESP32'],
        [table, 0x8000, "ESP-IDF partition table offset; the table's first partition follows it at 0x9000"],
        [app, 0x10000, 'partition table: factory partition'],
      ]);
      expect(release!.builds[0]!.target.chipFamily).toBe('ESP32');
      expect(release!.builds[0]!.flash!.erase).toBe('all');
      expect(release!.builds[0]!.ota).toEqual({ kind: 'either', image: app });
      expect(Object.fromEntries(release!.files.map((f) => [f.path, f.role]))).toEqual({ [boot!]: 'bootloader', [table!]: 'partition-table', [app!]: 'app' });
      // No offset was guessed: the one warning is about reading the git-describe version as SemVer.
      expect(release!.notes.filter((n) => n.level === 'warning').map((n) => n.message)).toEqual([expect.stringMatching(/gives the version as "v0\.8-7-g333c02c-dirty"/)]);
      expect(release!.notes[0]!.message).toMatch(/no manifest; FieldFlash read it as an ESP-IDF build output/);
    });
  }

  it('reads the same from a dropped build folder, and gives the same release id', async () => {
    const files = idfOutput(true, 'build/');
    const [fromFolder] = await readBundle({ name: 'build', files: asFolder(files) });
    const [fromZip] = await readBundle({ name: 'build.zip', data: await zipFiles(files) });
    expect(fromFolder!.builds[0]!.flash!.parts.map((p) => p.offset)).toEqual([0x1000, 0x8000, 0x10000]);
    expect(fromFolder!.id).toBe(fromZip!.id);
  });

  it('keeps other files of the build beside the release without letting them change its layout', async () => {
    const files = [...idfOutput(false), { path: 'README.txt', data: new TextEncoder().encode('Flash with idf.py flash') }];
    const [release] = await readBundle({ name: 'with-readme.zip', data: await zipFiles(files) });
    expect(release!.builds[0]!.flash!.parts).toHaveLength(3);
    expect(release!.files.find((f) => f.path === 'README.txt')?.role).toBe('other');
  });
});

type Family = Exclude<ChipFamily, 'ESP8266'>;
const OTA_TABLE: PartitionSpec[] = [
  { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x4000 },
  { label: 'otadata', type: 'data', subtype: 'ota', offset: 0xd000, size: 0x2000 },
  { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
  { label: 'ota_0', type: 'app', subtype: 'ota_0', offset: 0x20000, size: 0x100000 },
  { label: 'ota_1', type: 'app', subtype: 'ota_1', offset: 0x120000, size: 0x100000 },
];
const FACTORY_TABLE: PartitionSpec[] = [
  { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
  { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
  { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 },
];

interface Crafted {
  family?: Family;
  appFamily?: Family;
  table?: Uint8Array;
  otadata?: boolean;
  appPayload?: Uint8Array;
}

async function crafted(options: Crafted = {}): Promise<BundleFile[]> {
  const family = options.family ?? 'ESP32-C3';
  const files: BundleFile[] = [
    { path: 'bootloader/bootloader.bin', data: await writeBootloaderImage({ chipFamily: family }) },
    { path: 'partition_table/partition-table.bin', data: options.table ?? writePartitionTable(FACTORY_TABLE) },
    { path: 'blink.bin', data: await writeAppImage({ chipFamily: options.appFamily ?? family, projectName: 'blink', version: '1.3.0', ...(options.appPayload ? { payload: options.appPayload } : {}) }) },
  ];
  if (options.otadata) files.push({ path: 'ota_data_initial.bin', data: new Uint8Array(0x2000).fill(0xff) });
  return files;
}

const read = async (files: BundleFile[], name = 'blink.zip') => (await readBundle({ name, data: await zipFiles(files) }))[0]!;

describe('crafted ESP-IDF build outputs', () => {
  const families = CHIP_FAMILIES.filter((f): f is Family => f !== 'ESP8266');
  it.each(families)('places the %s bootloader by the chip id in its header', async (family) => {
    const release = await read(await crafted({ family }));
    const expected = { ESP32: 0x1000, 'ESP32-S2': 0x1000, 'ESP32-P4': 0x2000, 'ESP32-C5': 0x2000 }[family as string] ?? 0x0;
    expect(bootloaderOffset(family)).toBe(expected);
    expect(layout(release)[0]).toEqual(['bootloader/bootloader.bin', expected, `bootloader header: chip ${family}`]);
    expect(release.builds[0]!.target.chipFamily).toBe(family);
  });

  it('writes otadata at the table\'s otadata partition and the app at ota_0 when there is no factory partition', async () => {
    const release = await read(await crafted({ table: writePartitionTable(OTA_TABLE), otadata: true }));
    expect(layout(release)).toEqual([
      ['bootloader/bootloader.bin', 0x0, 'bootloader header: chip ESP32-C3'],
      ['partition_table/partition-table.bin', 0x8000, "ESP-IDF partition table offset; the table's first partition follows it at 0x9000"],
      ['ota_data_initial.bin', 0xd000, 'partition table: otadata partition'],
      ['blink.bin', 0x20000, 'partition table: ota_0 partition'],
    ]);
    expect(release.files.find((f) => f.path === 'ota_data_initial.bin')?.role).toBe('ota-data');
  });

  it('warns only where it assumes: a table whose partitions do not begin right after 0x8000', async () => {
    const table = writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 }]);
    const release = await read(await crafted({ table }));
    const warnings = release.notes.filter((n) => n.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/first partition begins at 0x10000 rather than 0x9000/);
    expect(layout(release)[1]![2]).toMatch(/^ESP-IDF's default partition table offset, assumed/);
  });
});

describe('ESP-IDF build outputs that cannot be placed', () => {
  it('refuses a damaged partition table', async () => {
    const table = writePartitionTable(FACTORY_TABLE);
    flip(table, 44, 0x01); // a letter of the second entry's label: the MD5 no longer matches
    const err = await bundleErrorOf(read(await crafted({ table })));
    expect(err.code).toBe('invalid-layout');
    expect(err.message).toBe('partition_table/partition-table.bin is damaged: the MD5 of its partition table does not match its entries.');
  });

  it('refuses a table that is not a valid partition table', async () => {
    const table = writePartitionTable(FACTORY_TABLE);
    table.fill(0x12, 32, 64);
    const err = await bundleErrorOf(read(await crafted({ table })));
    expect(err.code).toBe('invalid-layout');
    expect(err.message).toMatch(/^partition_table\/partition-table\.bin is not a valid partition table: entry 1 at byte 32 is neither/);
  });

  it('refuses a table with neither a factory nor an ota_0 partition, naming the partitions it has', async () => {
    const table = writePartitionTable([
      { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
      { label: 'ota_1', type: 'app', subtype: 'ota_1', offset: 0x10000, size: 0x100000 },
    ]);
    const err = await bundleErrorOf(read(await crafted({ table })));
    expect(err.code).toBe('invalid-layout');
    expect(err.message).toContain('has no factory or ota_0 app partition, so the bootloader would find no app to start');
    expect(err.message).toContain('ota_1 (app/ota_1 at 0x10000)');
  });

  it('refuses an app larger than the partition it goes to', async () => {
    const table = writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x9000, size: 0x2000 }]);
    const err = await bundleErrorOf(read(await crafted({ table, appPayload: new Uint8Array(0x3000).fill(7) })));
    expect(err.code).toBe('invalid-layout');
    expect(err.message).toMatch(/^blink\.bin \(1[0-9.]+ KiB\) is larger than the factory partition "factory" \(8\.0 KiB\) it goes to/);
  });

  it('refuses a table built for another partition-table offset', async () => {
    const table = writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x8000, size: 0x100000 }]);
    const err = await bundleErrorOf(read(await crafted({ table })));
    expect(err.code).toBe('invalid-layout');
    expect(err.message).toContain('places a partition at 0x8000, inside the space of the bootloader and the partition table');
  });

  it('refuses otadata that the table has no partition for', async () => {
    const err = await bundleErrorOf(read(await crafted({ otadata: true })));
    expect(err.code).toBe('invalid-layout');
    expect(err.message).toContain('holds ota_data_initial.bin, but partition_table/partition-table.bin has no otadata partition');
  });

  it('refuses a bootloader and an app built for different chips', async () => {
    const err = await bundleErrorOf(read(await crafted({ family: 'ESP32-C3', appFamily: 'ESP32-S3' })));
    expect(err.code).toBe('chip-mismatch');
    expect(err.message).toBe('bootloader/bootloader.bin is built for ESP32-C3, but blink.bin for ESP32-S3: they come from different builds.');
  });

  it('refuses a build without its partition table or without its bootloader, rather than import half of it', async () => {
    const files = await crafted();
    let err = await bundleErrorOf(read(files.filter((f) => !f.path.includes('partition'))));
    expect(err.code).toBe('incomplete-release');
    expect(err.message).toBe('blink.zip looks like an ESP-IDF build output (bootloader bootloader/bootloader.bin, app blink.bin) but has no partition table, so a first install from it could not boot.');
    err = await bundleErrorOf(read(files.filter((f) => !f.path.includes('bootloader'))));
    expect(err.code).toBe('incomplete-release');
    expect(err.hint).toContain('bootloader/bootloader.bin');
  });

  it('refuses two apps with no manifest saying which is meant', async () => {
    const files = await crafted();
    files.push({ path: 'other.bin', data: await writeAppImage({ chipFamily: 'ESP32-C3', projectName: 'other', version: '1.0.0' }) });
    const err = await bundleErrorOf(read(files));
    expect(err.code).toBe('no-manifest');
    expect(err.message).toContain('2 app images (blink.bin, other.bin)');
  });
});
