// The real ESP Web Tools release in ../shared/fixtures, zipped on the fly.
import { describe, expect, it } from 'vitest';
import { readBundle, writeBundleZip, pickBuild, compatibility, type ReadProgress } from '../src/index.ts';
import { asFolder, fixtureFiles, zipFiles } from './helpers.ts';

describe('the real LOGIBUS DualOut release', () => {
  it('reads name, chip family, parts and the app description', async () => {
    const progress: ReadProgress[] = [];
    const releases = await readBundle({ name: 'logibus.zip', data: await zipFiles(fixtureFiles()) }, { onProgress: (p) => progress.push(p) });
    expect(releases).toHaveLength(1);
    const release = releases[0]!;
    expect(release.format).toBe('esp-web-tools');
    expect(release.product).toBe('LOGIBUS DualOut ESP32 esp-idf-v5.1');
    expect(release.declaredVersion).toBe('0.100');
    expect(release.version).toBe('0.100.0');
    expect(release.notes.map((n) => n.message).join('\n')).toMatch(/"0\.100".*0\.100\.0/);
    expect(release.id).toMatch(/^[0-9a-f]{64}$/);
    expect(release.builds).toHaveLength(1);
    const build = release.builds[0]!;
    expect(build.target.chipFamily).toBe('ESP32');
    expect(build.flash?.parts.map((p) => [p.path, p.offset])).toEqual([
      ['firmware_esp-idf-v5.1/bootloader.bin', 0x1000],
      ['firmware_esp-idf-v5.1/partition-table.bin', 0x8000],
      ['firmware_esp-idf-v5.1/Application.bin', 0x10000],
    ]);
    expect(build.flash?.erase).toBe('all');
    expect(build.ota).toEqual({ kind: 'either', image: 'firmware_esp-idf-v5.1/Application.bin' });

    const app = release.files.find((f) => f.path.endsWith('Application.bin'))!;
    expect(app.role).toBe('app');
    expect(app.size).toBe(2049184);
    expect(app.image?.chipFamily).toBe('ESP32');
    expect(app.image?.flashSize).toBe(16 * 1024 * 1024);
    expect(app.image?.checksumValid).toBe(true);
    expect(app.image?.appendedHashValid).toBe(true);
    expect(app.image?.app).toMatchObject({ projectName: 'Application', version: 'v0.8-7-g333c02c-dirty', idfVersion: 'v5.1-dirty', secureVersion: 0, date: 'Sep  9 2023' });
    const bytes = new Uint8Array(await app.data.arrayBuffer());
    const original = fixtureFiles().find((f) => f.path.endsWith('Application.bin'))!.data;
    expect(Buffer.compare(bytes, original)).toBe(0);
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', original as BufferSource)).toString('hex');
    expect(app.sha256).toBe(digest);

    const table = release.files.find((f) => f.role === 'partition-table')!.partitionTable!;
    expect(table.md5Valid).toBe(true);
    expect(table.partitions.map((p) => [p.label, p.subtype, p.offset, p.size])).toEqual([
      ['nvs', 'nvs', 0x9000, 0x6000],
      ['phy_init', 'phy', 0xf000, 0x1000],
      ['factory', 'factory', 0x10000, 0x400000],
      ['storage', 'spiffs', 0x410000, 0xf0000],
    ]);
    expect(release.files.find((f) => f.role === 'bootloader')?.image?.chipFamily).toBe('ESP32');
    expect(release.files.find((f) => f.role === 'manifest')?.path).toBe('manifest.json');

    expect(progress.some((p) => p.phase === 'unzip' && p.done === p.total && p.total === 2049184 + 28624 + 3072 + 435)).toBe(true);
    expect(progress.at(-1)).toEqual({ phase: 'verify', done: 3, total: 3 });
  });

  it('gives the same release from a zip, a zip with a top folder, and the dropped folder', async () => {
    const [fromZip] = await readBundle({ name: 'a.zip', data: await zipFiles(fixtureFiles()) });
    const [nested] = await readBundle({ name: 'b.zip', data: await zipFiles(fixtureFiles('logibus-main/'), 'STORE') });
    const [folder] = await readBundle({ name: 'logibus', files: asFolder(fixtureFiles('logibus/')) });
    expect(nested!.id).toBe(fromZip!.id);
    expect(folder!.id).toBe(fromZip!.id);
    expect(nested!.builds[0]!.flash!.parts[2]!.path).toBe('logibus-main/firmware_esp-idf-v5.1/Application.bin');
  });

  it('exports to a zip that imports as the same release, bytes and all', async () => {
    const [release] = await readBundle({ name: 'a.zip', data: await zipFiles(fixtureFiles()) });
    const exported = await writeBundleZip(release!);
    const [again] = await readBundle({ name: 'export.zip', data: exported });
    expect(again!.id).toBe(release!.id);
    expect(again!.files.map((f) => [f.path, f.sha256, f.role])).toEqual(release!.files.map((f) => [f.path, f.sha256, f.role]));
    const reexported = new Uint8Array(await (await writeBundleZip(again!)).arrayBuffer());
    expect(Buffer.compare(reexported, new Uint8Array(await exported.arrayBuffer()))).toBe(0);
  });

  it('picks the ESP32 build and explains why an ESP32-S3 cannot take it', async () => {
    const [release] = await readBundle({ name: 'a.zip', data: await zipFiles(fixtureFiles()) });
    expect(pickBuild(release!, 'ESP32')?.target.chipFamily).toBe('ESP32');
    expect(pickBuild(release!, 'ESP32-S3')).toBeUndefined();
    const verdict = compatibility(release!, 'ESP32-S3');
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(/builds for ESP32 only.*ESP32-S3/);
    expect(compatibility(release!, 'ESP32')).toMatchObject({ ok: true, build: { target: { chipFamily: 'ESP32' } } });
  });
});
