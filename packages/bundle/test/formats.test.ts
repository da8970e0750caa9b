// Formats people already ship, recognised by content: ESP Web Tools, ESP-IDF flasher_args.json, RIOT
// slot0/slot1 manifests, bare app images and merged flash images.
import { describe, expect, it } from 'vitest';
import {
  CHIP_FAMILIES, readBundle, writeAppImage, writeBootloaderImage, writePartitionTable, type ChipFamily,
} from '../src/index.ts';
import { asFolder, bundleErrorOf, zipFiles, type BundleFile } from './helpers.ts';

const text = (s: string) => new TextEncoder().encode(s);
const json = (path: string, value: unknown): BundleFile => ({ path, data: text(JSON.stringify(value, null, 2)) });
const app = (chipFamily: Exclude<ChipFamily, 'ESP8266'>, version = '2.0.1', projectName = 'widget') => writeAppImage({ chipFamily, projectName, version, idfVersion: 'v5.2.1' });

describe('ESP Web Tools manifests', () => {
  it('reads every chip family it documents, several builds, hex and decimal offsets', async () => {
    const families = CHIP_FAMILIES.filter((f) => f !== 'ESP8266') as Array<Exclude<ChipFamily, 'ESP8266'>>;
    const files: BundleFile[] = [];
    const builds = [];
    for (const family of families) {
      const name = family.toLowerCase();
      files.push({ path: `${name}.bin`, data: await app(family) });
      builds.push({ chipFamily: family.replace('-', ''), parts: [{ path: `${name}.bin`, offset: family === 'ESP32' ? '0x10000' : '65536' }] });
    }
    files.push({ path: 'esp8266.bin', data: new Uint8Array([0xe9, 1, 2, 0x20, ...new Uint8Array(60)]) });
    builds.push({ chipFamily: 'esp8266', parts: [{ path: 'esp8266.bin', offset: 0 }] });
    files.push(json('firmware/widget-manifest.json', { name: 'Widget', version: 'v2.1', new_install_prompt_erase: true, builds: builds.map((b) => ({ ...b, parts: b.parts.map((p) => ({ ...p, path: `../${p.path}` })) })) }));
    const [release] = await readBundle({ name: 'widget.zip', data: await zipFiles(files) });
    expect(release!.builds.map((b) => b.target.chipFamily)).toEqual([...families, 'ESP8266']);
    expect(release!.builds.every((b) => b.flash!.parts[0]!.offset === (b.target.chipFamily === 'ESP8266' ? 0 : 0x10000))).toBe(true);
    expect(release!.builds[0]!.flash).toMatchObject({ erase: 'parts', erasePrompt: true });
    expect(release!.version).toBe('2.1.0');
    expect(release!.notes.some((n) => n.message.includes('"v2.1"'))).toBe(true);
    expect(release!.manifestPath).toBe('firmware/widget-manifest.json');
  });

  it('carries no distribution policy, even when the manifest has an appliesTo key (only the native format has one)', async () => {
    const files = [{ path: 'widget.bin', data: await app('ESP32') }, json('manifest.json', { name: 'Widget', version: '2.0.1', appliesTo: '>=9.0.0', builds: [{ chipFamily: 'ESP32', parts: [{ path: 'widget.bin', offset: 0x10000 }] }] })];
    const [release] = await readBundle({ name: 'widget.zip', data: await zipFiles(files) });
    expect(release!.format).toBe('esp-web-tools');
    expect(release).not.toHaveProperty('appliesTo');
  });

  it('yields one release per manifest in a zip holding several, whatever their names', async () => {
    const files: BundleFile[] = [
      { path: 'c3/app.bin', data: await app('ESP32-C3', '1.0.0', 'alpha') },
      { path: 's3/app.bin', data: await app('ESP32-S3', '1.0.0', 'beta') },
      json('alpha.json', { name: 'Alpha', version: '1.0.0', builds: [{ chipFamily: 'ESP32-C3', parts: [{ path: 'c3/app.bin', offset: 65536 }] }] }),
      json('install/beta-s3.json', { name: 'Beta', version: '3.0.0', builds: [{ chipFamily: 'ESP32S3', parts: [{ path: '../s3/app.bin', offset: 65536 }] }] }),
    ];
    const releases = await readBundle({ name: 'both.zip', data: await zipFiles(files) });
    expect(releases.map((r) => [r.product, r.version, r.builds[0]!.target.chipFamily])).toEqual([
      ['Alpha', '1.0.0', 'ESP32-C3'],
      ['Beta', '3.0.0', 'ESP32-S3'],
    ]);
    expect(releases[0]!.id).not.toBe(releases[1]!.id);
  });
});

describe('ESP-IDF flasher_args.json', () => {
  it('reads the build folder: flash_files, settings, chip, and product from the app', async () => {
    const files: BundleFile[] = [
      { path: 'build/bootloader/bootloader.bin', data: await writeBootloaderImage({ chipFamily: 'ESP32-C6' }) },
      { path: 'build/partition_table/partition-table.bin', data: writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 }]) },
      { path: 'build/hello.bin', data: await app('ESP32-C6', 'v1.4-2-gabc', 'hello') },
      { path: 'build/project_description.json', data: text('{"project_name": "hello"}') },
      json('build/flasher_args.json', {
        write_flash_args: ['--flash_mode', 'dio', '--flash_size', '2MB', '--flash_freq', '80m'],
        flash_settings: { flash_mode: 'dio', flash_size: '2MB', flash_freq: '80m' },
        flash_files: { '0x0': 'bootloader/bootloader.bin', '0x10000': 'hello.bin', '0x8000': 'partition_table/partition-table.bin' },
        bootloader: { offset: '0x0', file: 'bootloader/bootloader.bin', encrypted: 'false' },
        app: { offset: '0x10000', file: 'hello.bin', encrypted: 'false' },
        'partition-table': { offset: '0x8000', file: 'partition_table/partition-table.bin', encrypted: 'false' },
        extra_esptool_args: { after: 'hard_reset', before: 'default_reset', stub: true, chip: 'esp32c6' },
      }),
    ];
    const [release] = await readBundle({ name: 'build', files: asFolder(files) });
    expect(release!.format).toBe('esp-idf-flasher-args');
    expect(release!.product).toBe('hello');
    expect(release!.declaredVersion).toBe('v1.4-2-gabc');
    expect(release!.version).toBe('1.4.0-2-gabc');
    const build = release!.builds[0]!;
    expect(build.target.chipFamily).toBe('ESP32-C6');
    expect(build.flash).toMatchObject({ flashSize: 2 * 1024 * 1024, flashMode: 'dio', flashFreq: '80m', erase: 'parts' });
    expect(build.flash!.parts.map((p) => p.offset).sort((a, b) => a - b)).toEqual([0, 0x8000, 0x10000]);
    expect(Object.fromEntries(release!.files.map((f) => [f.path, f.role]))).toMatchObject({
      'build/bootloader/bootloader.bin': 'bootloader',
      'build/partition_table/partition-table.bin': 'partition-table',
      'build/hello.bin': 'app',
      'build/flasher_args.json': 'manifest',
      'build/project_description.json': 'other',
    });
  });
});

describe('RIOT ota manifests', () => {
  it('reads a key=value manifest with two slot images', async () => {
    const files: BundleFile[] = [
      { path: 'manifest', data: text('# published by make suit/publish\nAPP=blinky\nVERSION=1700000000\nBOARD=esp32-wroom-32\nCHIP=esp32\nSLOT0=blinky-slot0.1700000000.riot.bin\nSLOT1=blinky-slot1.1700000000.riot.bin\n') },
      { path: 'blinky-slot0.1700000000.riot.bin', data: text('RIOT slot zero image') },
      { path: 'blinky-slot1.1700000000.riot.bin', data: text('RIOT slot one image!') },
    ];
    const [release] = await readBundle({ name: 'blinky.zip', data: await zipFiles(files) });
    expect(release!.format).toBe('riot-ota');
    expect(release!.product).toBe('blinky');
    expect(release!.sequence).toBe(1700000000);
    expect(release!.version).toBe('1700000000.0.0');
    expect(release!.builds[0]).toEqual({
      target: { chipFamily: 'ESP32', board: 'esp32-wroom-32' },
      ota: { kind: 'per-slot', slot0: 'blinky-slot0.1700000000.riot.bin', slot1: 'blinky-slot1.1700000000.riot.bin' },
    });
  });

  it('reads a JSON manifest with digests and refuses a slot that does not match', async () => {
    const slot = (n: number) => writeAppImage({ chipFamily: 'ESP32-S3', projectName: 'sensor', version: '0.3.0', payload: text(`linked for slot ${n} `.repeat(64)) });
    const slot0 = await slot(0);
    const slot1 = await slot(1);
    const sha = async (d: Uint8Array) => Buffer.from(await crypto.subtle.digest('SHA-256', d as BufferSource)).toString('hex');
    const manifest = { app: 'sensor', version: '0.3.0', slot0: { path: 'slot0.bin', sha256: await sha(slot0), size: slot0.length }, slot1: { path: 'slot1.bin', sha256: await sha(slot1) } };
    const files = [json('ota.json', manifest), { path: 'slot0.bin', data: slot0 }, { path: 'slot1.bin', data: slot1 }];
    const [release] = await readBundle({ name: 'sensor.zip', data: await zipFiles(files) });
    expect(release!.builds[0]!.target.chipFamily).toBe('ESP32-S3');
    expect(release!.notes.some((n) => /ESP32-S3 read from the image header/.test(n.message))).toBe(true);
    expect(release!.files.filter((f) => f.digestDeclared).map((f) => f.path)).toEqual(['slot0.bin', 'slot1.bin']);

    files[2] = { path: 'slot1.bin', data: slot0 };
    const err = await bundleErrorOf(readBundle({ name: 'sensor.zip', data: await zipFiles(files) }));
    expect(err.code).toBe('digest-mismatch');
    expect(err.message).toContain('slot1.bin');
  });
});

describe('bare images', () => {
  it('reads chip family from the header and product and version from the app description', async () => {
    const [release] = await readBundle({ name: 'widget-s3.bin', data: new Blob([await app('ESP32-S3', 'v3.2.1', 'widget') as BlobPart]) });
    expect(release!.format).toBe('bare-image');
    expect(release!.product).toBe('widget');
    expect(release!.version).toBe('3.2.1');
    expect(release!.builds[0]).toMatchObject({ target: { chipFamily: 'ESP32-S3' }, ota: { kind: 'either', image: 'widget-s3.bin' }, flash: { parts: [{ offset: 0x10000 }] } });
    expect(release!.notes.some((n) => n.level === 'warning' && /without a manifest/.test(n.message))).toBe(true);
  });

  it('reads a merged flash image (bootloader, table and app in one file)', async () => {
    const merged = new Uint8Array(0x10000 + 0x4000).fill(0xff);
    merged.set(await writeBootloaderImage({ chipFamily: 'ESP32-C3' }), 0);
    merged.set(writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 }]), 0x8000);
    merged.set(await app('ESP32-C3', '5.0.0', 'merged'), 0x10000);
    const [release] = await readBundle({ name: 'merged.factory.bin', data: new Blob([merged]) });
    expect(release!.product).toBe('merged');
    expect(release!.builds[0]).toMatchObject({ target: { chipFamily: 'ESP32-C3' }, flash: { erase: 'all', parts: [{ offset: 0 }] } });
    expect(release!.files[0]!.embedded?.map((e) => [e.role, e.offset])).toEqual([['bootloader', 0], ['partition-table', 0x8000], ['app', 0x10000]]);
  });

  it('refuses a bare image whose chip id FieldFlash does not know', async () => {
    const image = await app('ESP32', '1.0.0');
    image[12] = 0x7f;
    const err = await bundleErrorOf(readBundle({ name: 'odd.bin', data: new Blob([image as BlobPart]) }));
    expect(err.code).toBe('unknown-chip-family');
    expect(err.message).toContain('odd.bin');
  });
});
