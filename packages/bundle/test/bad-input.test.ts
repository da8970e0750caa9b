// Every kind of bad bundle, as a real zip: a specific code, a message naming the file, and no release.
import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import JSZip from 'jszip';
import { readBundle, writeAppImage, type BundleInput, type ReadOptions } from '../src/index.ts';
import { bundleErrorOf, craftZip, flip, fixtureFiles, nativeFiles, zipFiles, type BundleFile } from './helpers.ts';

const blob = (bytes: Uint8Array) => new Blob([bytes as BlobPart]);
const fail = (input: BundleInput, options?: ReadOptions) => bundleErrorOf(readBundle(input, options));
const failZip = async (files: BundleFile[], options?: ReadOptions) => fail({ name: 'release.zip', data: await zipFiles(files) }, options);
const text = (s: string) => new TextEncoder().encode(s);

describe('refused bundles', () => {
  it('not a zip', async () => {
    const err = await fail({ name: 'release.zip', data: blob(text('<html>404 Not Found</html>')) });
    expect(err.code).toBe('not-a-zip');
    expect(err.message).toContain('release.zip');
    expect(err.hint).not.toBe('');
  });

  it('truncated zip', async () => {
    const whole = new Uint8Array(await (await zipFiles(fixtureFiles())).arrayBuffer());
    const err = await fail({ name: 'release.zip', data: blob(whole.subarray(0, Math.floor(whole.length * 0.6))) });
    expect(err.code).toBe('truncated-zip');
    expect(err.message).toContain('release.zip');
  });

  it('CRC mismatch', async () => {
    const zip = craftZip([{ name: 'firmware/app.bin', data: text('hello firmware'.repeat(50)), crc32: 0x12345678 }]);
    const err = await fail({ name: 'release.zip', data: blob(zip) });
    expect(err.code).toBe('crc-mismatch');
    expect(err.file).toBe('firmware/app.bin');
    expect(err.message).toContain('firmware/app.bin');
  });

  it('a flipped byte inside the compressed data of a real zip', async () => {
    const zip = craftZip([{ name: 'app.bin', data: new Uint8Array(5000).fill(7), method: 0 }]);
    flip(zip, 30 + 'app.bin'.length + 2500);
    const err = await fail({ name: 'release.zip', data: blob(zip) });
    expect(err.code).toBe('crc-mismatch');
    expect(err.message).toContain('app.bin');
  });

  it('digest mismatch', async () => {
    const files = await nativeFiles();
    flip(files.find((f) => f.path === 'ota/slot1.bin')!.data, 100, 1);
    const err = await failZip(files);
    expect(err.code).toBe('digest-mismatch');
    expect(err.file).toBe('ota/slot1.bin');
    expect(err.message).toContain('ota/slot1.bin');
  });

  it('a file the manifest names but the zip lacks', async () => {
    const files = fixtureFiles().filter((f) => !f.path.endsWith('partition-table.bin'));
    const err = await failZip(files);
    expect(err.code).toBe('missing-file');
    expect(err.message).toContain('firmware_esp-idf-v5.1/partition-table.bin');
    expect(err.message).toContain('manifest.json');
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['../../evil.bin', '..'],
    ['firmware/../../evil.bin', '..'],
    ['firmware\\app.bin', 'backslash'],
    ['C:/temp/app.bin', 'drive letter'],
  ])('unsafe entry name %s', async (name) => {
    const err = await fail({ name: 'release.zip', data: blob(craftZip([{ name, data: text('x') }])) });
    expect(err.code).toBe('unsafe-path');
    expect(err.message).toContain(name);
  });

  it('duplicate entries', async () => {
    const zip = craftZip([
      { name: 'manifest.json', data: text('{}') },
      { name: 'app.bin', data: text('one') },
      { name: 'app.bin', data: text('two') },
    ]);
    const err = await fail({ name: 'release.zip', data: blob(zip) });
    expect(err.code).toBe('duplicate-entry');
    expect(err.message).toContain('app.bin');
  });

  it('overlapping parts', async () => {
    const files = fixtureFiles();
    const manifest = JSON.parse(new TextDecoder().decode(files[0]!.data));
    manifest.builds[0].parts[1].offset = 0x1000 + 20000; // inside the 28 KiB bootloader
    files[0]!.data = text(JSON.stringify(manifest));
    const err = await failZip(files);
    expect(err.code).toBe('overlapping-parts');
    expect(err.message).toContain('bootloader.bin');
  });

  it('a part beyond the flash size', async () => {
    const err = await failZip(await nativeFiles({ appOffset: 0x3ffc00 }));
    expect(err.code).toBe('part-beyond-flash');
    expect(err.message).toContain('app.bin');
    expect(err.message).toContain('4.0 MiB');
  });

  it('a declared size that lies', async () => {
    const files = await nativeFiles({ mutate: (m) => (m.files[2].size += 1) });
    const err = await failZip(files);
    expect(err.code).toBe('size-mismatch');
    expect(err.message).toContain('app.bin');
  });

  it('a zip header claiming fewer bytes than the entry holds', async () => {
    const data = text('firmware '.repeat(400));
    const err = await fail({ name: 'release.zip', data: blob(craftZip([{ name: 'app.bin', data, uncompressedSize: 100 }])) });
    expect(err.code).toBe('size-mismatch');
    expect(err.message).toContain('app.bin');
  });

  it('a zip header claiming more bytes than the entry holds', async () => {
    const data = text('firmware '.repeat(400));
    const err = await fail({ name: 'release.zip', data: blob(craftZip([{ name: 'app.bin', data, uncompressedSize: data.length + 10 }])) });
    expect(err.code).toBe('size-mismatch');
    expect(err.message).toContain('app.bin');
  });

  it('local and central headers that disagree about the size', async () => {
    const data = text('firmware '.repeat(400));
    const err = await fail({ name: 'release.zip', data: blob(craftZip([{ name: 'app.bin', data, localUncompressedSize: 99 }])) });
    expect(err.code).toBe('size-mismatch');
    expect(err.message).toContain('app.bin');
  });

  it('a zip bomb over the total size limit, refused before inflating', async () => {
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const zip = craftZip([{ name: 'a.bin', data: zeros }, { name: 'b.bin', data: zeros }, { name: 'c.bin', data: zeros }]);
    expect(zip.length).toBeLessThan(100_000);
    const err = await fail({ name: 'bomb.zip', data: blob(zip) }, { limits: { maxTotalSize: 20 * 1024 * 1024 } });
    expect(err.code).toBe('zip-bomb');
    expect(err.message).toContain('c.bin');
  });

  it('a header claiming a compression ratio deflate cannot reach', async () => {
    const payload = new Uint8Array(deflateRawSync(new Uint8Array(1000)));
    const zip = craftZip([{ name: 'huge.bin', data: new Uint8Array(1000), payload, uncompressedSize: 100 * 1024 * 1024 }]);
    const err = await fail({ name: 'bomb.zip', data: blob(zip) });
    expect(err.code).toBe('zip-bomb');
    expect(err.message).toContain('huge.bin');
    expect(err.message).toMatch(/ratio/);
  });

  it('a per-entry ratio limit, when configured lower', async () => {
    const zip = craftZip([{ name: 'padding.bin', data: new Uint8Array(4 * 1024 * 1024).fill(0xff) }]);
    const err = await fail({ name: 'bomb.zip', data: blob(zip) }, { limits: { maxCompressionRatio: 100 } });
    expect(err.code).toBe('zip-bomb');
    expect(err.message).toContain('padding.bin');
  });

  it('entries that share their bytes (an overlapping zip bomb)', async () => {
    const data = new Uint8Array(10000).fill(1);
    const packed = (d: Uint8Array) => new Uint8Array(deflateRawSync(d)).length;
    // a.bin's data reaches over b.bin's header and data, the way non-recursive zip bombs reuse one kernel.
    const zip = craftZip([{ name: 'a.bin', data, compressedSize: packed(data) + 30 + 5 + packed(data) }, { name: 'b.bin', data }]);
    const err = await fail({ name: 'bomb.zip', data: blob(zip) });
    expect(err.code).toBe('zip-bomb');
    expect(err.message).toContain('a.bin');
    expect(err.message).toContain('overlaps b.bin');
  });

  it('an unknown chip family', async () => {
    const files = fixtureFiles();
    files[0]!.data = text(new TextDecoder().decode(files[0]!.data).replace('"ESP32"', '"ESP99-Z"'));
    const err = await failZip(files);
    expect(err.code).toBe('unknown-chip-family');
    expect(err.message).toContain('manifest.json');
    expect(err.message).toContain('ESP99-Z');
    expect(err.field).toBe('builds[0].chipFamily');
  });

  it('no manifest recognised', async () => {
    const err = await failZip([{ path: 'readme.txt', data: text('see website') }, { path: 'data.bin', data: new Uint8Array(64) }]);
    expect(err.code).toBe('no-manifest');
    expect(err.hint).toMatch(/fieldflash\.json/);
  });

  it('invalid manifest JSON', async () => {
    const files = fixtureFiles();
    files[0]!.data = text('{ "name": "x", "builds": [ }');
    const err = await failZip(files);
    expect(err.code).toBe('invalid-manifest');
    expect(err.file).toBe('manifest.json');
    expect(err.message).toContain('manifest.json');
  });

  it('a manifest field with a wrong value names file, field and value', async () => {
    const files = fixtureFiles();
    files[0]!.data = text(new TextDecoder().decode(files[0]!.data).replace('65536', '"0x1000g"'));
    const err = await failZip(files);
    expect(err.code).toBe('invalid-manifest');
    expect(err.field).toBe('builds[0].parts[2].offset');
    expect(err.message).toContain('manifest.json');
    expect(err.message).toContain('0x1000g');
  });

  it('an image built for another chip than its target', async () => {
    const err = await failZip(await nativeFiles({ chipFamily: 'ESP32', imageChipFamily: 'ESP32-S3' }));
    expect(err.code).toBe('chip-mismatch');
    expect(err.message).toMatch(/ESP32-S3.*ESP32/);
    expect(err.message).toContain('.bin');
  });

  it('a damaged ESP image (its checksum fails) even without declared digests', async () => {
    const app = await writeAppImage({ chipFamily: 'ESP32', projectName: 'p', version: '1.0.0' });
    flip(app, 400, 0x55);
    const zip = new JSZip();
    zip.file('manifest.json', JSON.stringify({ name: 'P', version: '1.0.0', builds: [{ chipFamily: 'ESP32', parts: [{ path: 'app.bin', offset: 65536 }] }] }));
    zip.file('app.bin', app);
    const err = await fail({ name: 'release.zip', data: await zip.generateAsync({ type: 'blob' }) });
    expect(err.code).toBe('invalid-image');
    expect(err.message).toContain('app.bin');
  });

  it('an empty zip', async () => {
    const err = await fail({ name: 'empty.zip', data: blob(craftZip([])) });
    expect(err.code).toBe('empty-bundle');
    expect(err.message).toContain('empty.zip');
  });

  it('a manifest nested deeper than any manifest is: refused, not a stack overflow', async () => {
    const files = await nativeFiles({ mutate: (m) => (m.product = 0) });
    const manifest = new TextDecoder().decode(files[0]!.data).replace('"product": 0', `"product": ${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const err = await failZip([{ path: 'fieldflash.json', data: text(manifest) }, ...files.slice(1)]);
    expect(err.code).toBe('invalid-manifest');
    expect(err.message).toContain('fieldflash.json');
    expect(err.message).toContain('64 levels');
    // Strings may hold any brackets: only the structure counts.
    const [release] = await readBundle({ name: 'release.zip', data: await zipFiles(await nativeFiles({ mutate: (m) => (m.releaseNotes = '['.repeat(1000)) })) });
    expect(release!.product).toBe('Test Product');
  });
});
