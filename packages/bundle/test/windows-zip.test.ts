// Zips made on Windows with PowerShell's Compress-Archive: backslash names under an MS-DOS host are read as
// folders, as Info-ZIP reads them, and every path check still applies after the separators are normalised.
import { describe, expect, it } from 'vitest';
import { readBundle } from '../src/index.ts';
import { compressArchiveOf, compressArchiveZip } from '../../../test/fixtures/compress-archive.ts';
import { bundleErrorOf, fixtureFiles, zipFiles } from './helpers.ts';

const blob = (bytes: Uint8Array) => new Blob([bytes as BlobPart]);
const text = (s: string) => new TextEncoder().encode(s);

describe('a release zipped with Compress-Archive', () => {
  it('is read as the same release as the published one, with its folders', async () => {
    const files = fixtureFiles();
    const zip = compressArchiveOf(files);
    // The bytes really are what Compress-Archive writes: a backslash in the stored names, host 0 in "version made by".
    expect(Buffer.from(zip).includes(Buffer.from('firmware_esp-idf-v5.1\\bootloader.bin'))).toBe(true);
    const [fromWindows] = await readBundle({ name: 'logibus-windows.zip', data: blob(zip) });
    const [published] = await readBundle({ name: 'logibus.zip', data: await zipFiles(files) });
    expect(fromWindows!.files.map((f) => f.path).sort()).toEqual(files.map((f) => f.path).sort());
    expect(fromWindows!.builds[0]!.flash!.parts.map((p) => [p.path, p.offset])).toEqual([
      ['firmware_esp-idf-v5.1/bootloader.bin', 0x1000],
      ['firmware_esp-idf-v5.1/partition-table.bin', 0x8000],
      ['firmware_esp-idf-v5.1/Application.bin', 0x10000],
    ]);
    expect(fromWindows!.id).toBe(published!.id);
  });

  it('keeps an empty folder out of the release', async () => {
    const files = fixtureFiles();
    const zip = compressArchiveZip([{ name: 'logs\\' }, ...files.map((f) => ({ name: f.path.replace(/\//g, '\\'), data: f.data }))]);
    const [release] = await readBundle({ name: 'with-folder.zip', data: blob(zip) });
    expect(release!.files.map((f) => f.path)).not.toContain('logs/');
    expect(release!.files).toHaveLength(files.length);
  });

  it.each([
    ['..\\..\\evil.bin', 'climbs out of the bundle with ".."'],
    ['firmware\\..\\..\\evil.bin', 'climbs out of the bundle with ".."'],
    ['\\evil.bin', 'is an absolute path'],
    ['\\\\server\\share\\evil.bin', 'is an absolute path'],
    ['C:\\Windows\\evil.bin', 'starts with a drive letter'],
    ['firmware\\\\evil.bin', 'has an empty folder name ("//")'],
  ])('refuses %s', async (name, why) => {
    const zip = compressArchiveZip([{ name: 'manifest.json', data: text('{}') }, { name, data: text('x') }]);
    const err = await bundleErrorOf(readBundle({ name: 'evil.zip', data: blob(zip) }));
    expect(err.code).toBe('unsafe-path');
    expect(err.message).toBe(`evil.zip: the entry "${name}" ${why}, so FieldFlash will not unpack it.`);
  });
});
