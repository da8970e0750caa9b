// Real bundles to mutate, one per format FieldFlash reads: the demo release as `npm run build` makes it (native
// fieldflash.json), with and without a detached signature; the real ESP Web Tools firmware in ../shared/fixtures;
// an ESP-IDF build folder (flasher_args.json); RIOT's key=value and JSON manifests with slot0 and slot1; a bare app
// image; and the demo MicroPython application (a source-tree release).
import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { writeAppImage, writeBootloaderImage, writePartitionTable } from '../../packages/bundle/src/index.ts';
import { fixtureFiles } from '../../packages/bundle/test/helpers.ts';
import { buildDemoRelease } from '../../scripts/make-demo-release.ts';
import { buildMicroPythonAppRelease } from '../../scripts/micropython-app-release.ts';

export interface Entry {
  path: string;
  data: Uint8Array;
}

/** How the bundle is handed to readBundle: a zip, the files of a dropped folder, or one dropped file. */
export type Container = 'zip' | 'folder' | 'single';

export interface Seed {
  name: string;
  containers: Container[];
  entries: Entry[];
}

const text = (s: string) => new TextEncoder().encode(s);
const json = (path: string, value: unknown): Entry => ({ path, data: text(JSON.stringify(value, null, 2)) });
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function unzip(zip: Uint8Array): Promise<Entry[]> {
  const archive = await JSZip.loadAsync(zip);
  const files = Object.values(archive.files).filter((f) => !f.dir);
  return Promise.all(files.map(async (f) => ({ path: f.name, data: await f.async('uint8array') })));
}

/** A detached signature of the right shape (docs/bundle-format.md, "Detached signature"). */
export function signatureOf(bytes: Uint8Array): Uint8Array {
  const signature = createHash('sha512').update(bytes).digest('base64');
  return text(JSON.stringify({ format: 'fieldflash-signature', algorithm: 'ed25519', keyId: 'fieldflash-demo-2025', signature }));
}

export async function bundleSeeds(): Promise<Seed[]> {
  const demo = await unzip((await buildDemoRelease()).zip);
  const manifest = demo.find((e) => e.path === 'fieldflash.json')!;
  const tree = await unzip((await buildMicroPythonAppRelease('1.0.0')).zip);
  const appS3 = await writeAppImage({ chipFamily: 'ESP32-S3', projectName: 'widget', version: 'v3.2.1', idfVersion: 'v5.2.1', payload: text('widget '.repeat(900)) });
  const appC6 = await writeAppImage({ chipFamily: 'ESP32-C6', projectName: 'hello', version: 'v1.4-2-gabc', idfVersion: 'v5.2.1' });
  const slot = (n: number) => writeAppImage({ chipFamily: 'ESP32-S3', projectName: 'sensor', version: '0.3.0', payload: text(`linked for slot ${n} `.repeat(64)) });
  const [slot0, slot1] = [await slot(0), await slot(1)];
  return [
    { name: 'demo (fieldflash.json)', containers: ['zip', 'folder'], entries: demo },
    { name: 'demo signed (fieldflash.json.sig)', containers: ['zip', 'folder'], entries: [...demo, { path: 'fieldflash.json.sig', data: signatureOf(manifest.data) }] },
    { name: 'LOGIBUS firmware (ESP Web Tools manifest.json)', containers: ['zip', 'folder'], entries: fixtureFiles() },
    {
      name: 'ESP-IDF build (flasher_args.json)',
      containers: ['zip', 'folder'],
      entries: [
        { path: 'build/bootloader/bootloader.bin', data: await writeBootloaderImage({ chipFamily: 'ESP32-C6' }) },
        { path: 'build/partition_table/partition-table.bin', data: writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 }]) },
        { path: 'build/hello.bin', data: appC6 },
        { path: 'build/project_description.json', data: text('{"project_name": "hello"}') },
        json('build/flasher_args.json', {
          flash_settings: { flash_mode: 'dio', flash_size: '2MB', flash_freq: '80m' },
          flash_files: { '0x0': 'bootloader/bootloader.bin', '0x10000': 'hello.bin', '0x8000': 'partition_table/partition-table.bin' },
          bootloader: { offset: '0x0', file: 'bootloader/bootloader.bin', encrypted: 'false' },
          app: { offset: '0x10000', file: 'hello.bin', encrypted: 'false' },
          'partition-table': { offset: '0x8000', file: 'partition_table/partition-table.bin', encrypted: 'false' },
          extra_esptool_args: { after: 'hard_reset', before: 'default_reset', stub: true, chip: 'esp32c6' },
        }),
      ],
    },
    {
      name: 'RIOT ota-server (manifest, slot0, slot1)',
      containers: ['zip', 'folder'],
      entries: [
        { path: 'manifest', data: text('# published by make suit/publish\nAPP=blinky\nVERSION=1700000000\nBOARD=esp32-wroom-32\nCHIP=esp32\nSLOT0=blinky-slot0.1700000000.riot.bin\nSLOT1=blinky-slot1.1700000000.riot.bin\n') },
        { path: 'blinky-slot0.1700000000.riot.bin', data: text('RIOT slot zero image') },
        { path: 'blinky-slot1.1700000000.riot.bin', data: text('RIOT slot one image!') },
      ],
    },
    {
      name: 'RIOT JSON manifest with digests',
      containers: ['zip', 'folder'],
      entries: [
        json('ota.json', { app: 'sensor', version: '0.3.0', slot0: { path: 'slot0.bin', sha256: sha256(slot0), size: slot0.length }, slot1: { path: 'slot1.bin', sha256: sha256(slot1) } }),
        { path: 'slot0.bin', data: slot0 },
        { path: 'slot1.bin', data: slot1 },
      ],
    },
    { name: 'bare ESP app image', containers: ['single', 'zip'], entries: [{ path: 'widget-s3.bin', data: appS3 }] },
    { name: 'source tree (bench-sensor 1.0.0)', containers: ['zip', 'folder'], entries: tree },
  ];
}
