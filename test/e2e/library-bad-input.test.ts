// Bad bundles, each refused with its own message on screen, and nothing of them left in IndexedDB.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { NATIVE_MANIFEST_NAME, writeNativeManifest } from '../../packages/bundle/src/index.ts';
import { openApp, type AppSession } from './browser.ts';
import { fixtureFiles, libraryReady, pickFiles, releaseRows, storedRecords, zipFiles, type FixtureFile } from './library.support.ts';

let app: AppSession;
let files: FixtureFile[];
let goodZip: Buffer;

const APP = 'firmware_esp-idf-v5.1/Application.bin';
const PARTITIONS = 'firmware_esp-idf-v5.1/partition-table.bin';

function withManifest(edit: (manifest: { builds: Array<{ chipFamily: string }> }) => void): FixtureFile[] {
  return files.map((f) => {
    if (f.path !== 'manifest.json') return f;
    const manifest = JSON.parse(f.bytes.toString('utf8'));
    edit(manifest);
    return { path: f.path, bytes: Buffer.from(JSON.stringify(manifest)) };
  });
}

/** Renames an entry inside finished zip bytes (local header and central directory): JSZip itself tidies up "..". */
function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  expect(to.length).toBe(from.length);
  const out = Buffer.from(zip);
  let at = out.indexOf(from);
  let renamed = 0;
  while (at >= 0) {
    out.write(to, at, 'latin1');
    renamed++;
    at = out.indexOf(from, at + 1);
  }
  expect(renamed).toBe(2);
  return out;
}

beforeAll(async () => {
  files = await fixtureFiles();
  goodZip = await zipFiles(files);
  app = await openApp('/');
  await libraryReady(app.page);
});
afterAll(async () => app?.close());

async function expectRefused(name: string, bytes: Buffer, message: RegExp): Promise<void> {
  const { page } = app;
  expect(await pickFiles(page, name, bytes)).toBe('failed');
  const alert = page.getByRole('alert').filter({ hasText: 'Could not import' });
  const text = await alert.innerText();
  expect(text).toContain(`Could not import ${name}`);
  expect(text).toMatch(message);
  // Every refusal tells the technician what to do next.
  expect(text).toMatch(/What to do: \S+/);
  expect(await releaseRows(page).count()).toBe(0);
  expect(await storedRecords(page)).toEqual({ releases: 0, files: 0 });
}

test('a file that is not a zip at all', async () => {
  await expectRefused('release.zip', Buffer.from('These are the release notes, not the release.\n'.repeat(20)), /release\.zip is not a zip file\./);
});

test('a zip cut short in the middle of a download', async () => {
  await expectRefused('cut-short.zip', goodZip.subarray(0, Math.floor(goodZip.length / 2)), /cut-short\.zip is cut short/);
});

test('a manifest naming a part the zip lacks', async () => {
  const zip = await zipFiles(files.filter((f) => f.path !== APP));
  await expectRefused('no-app.zip', zip, /names firmware_esp-idf-v5\.1\/Application\.bin, but the bundle has no such file/);
});

test('a part whose bytes were damaged after zipping (CRC-32 mismatch)', async () => {
  const zip = await zipFiles(files, 'STORE');
  const app = files.find((f) => f.path === APP)!.bytes;
  // A run of the app's bytes found once in the stored zip: flip one of them.
  const probe = app.subarray(0x40000, 0x40040);
  const at = zip.indexOf(probe);
  expect(at).toBeGreaterThan(0);
  expect(zip.indexOf(probe, at + 1)).toBe(-1);
  zip[at + 10] = zip[at + 10]! ^ 0xff;
  await expectRefused('damaged.zip', zip, /Application\.bin fails its CRC-32 check/);
});

test('a FieldFlash manifest whose SHA-256 does not match the part', async () => {
  const parts = files.filter((f) => f.path !== 'manifest.json');
  const manifest = JSON.parse(
    await writeNativeManifest({
      product: 'Tampered',
      version: '1.0.0',
      sequence: 1,
      securityVersion: 0,
      targets: [{ chipFamily: 'ESP32', flash: { erase: 'all', parts: [{ path: PARTITIONS, offset: 0x8000 }] } }],
      files: parts.map((f) => ({ path: f.path, data: f.bytes })),
    }),
  );
  const entry = manifest.files.find((f: { path: string }) => f.path === PARTITIONS);
  entry.sha256 = '0'.repeat(64);
  const zip = await zipFiles([...parts, { path: NATIVE_MANIFEST_NAME, bytes: Buffer.from(JSON.stringify(manifest)) }]);
  await expectRefused('tampered.zip', zip, /partition-table\.bin does not match the SHA-256 in/);
});

test('an entry climbing out of the folder with ".."', async () => {
  const zip = renameEntry(await zipFiles([...files, { path: 'xx/evil.bin', bytes: Buffer.from('payload') }]), 'xx/evil.bin', '../evil.bin');
  await expectRefused('climbing.zip', zip, /the entry "\.\.\/evil\.bin" .*so FieldFlash will not unpack it/);
});

test('a part built for another chip than the manifest says', async () => {
  const zip = await zipFiles(withManifest((m) => (m.builds[0]!.chipFamily = 'ESP32-S3')));
  await expectRefused('wrong-chip.zip', zip, /is built for ESP32, but manifest\.json lists it for ESP32-S3/);
});

test('a chip family FieldFlash does not know', async () => {
  const zip = await zipFiles(withManifest((m) => (m.builds[0]!.chipFamily = 'ESP99')));
  await expectRefused('unknown-chip.zip', zip, /ESP99.*not a chip family FieldFlash knows/);
});

test('after all that, the good release still imports', async () => {
  expect(await pickFiles(app.page, 'logibus-dualout.zip', goodZip)).toBe('added');
  expect(await storedRecords(app.page)).toEqual({ releases: 1, files: files.length });
});
