// The demo releases the app offers: deterministic, a valid native ESP32 release and a MicroPython source tree.
import { describe, expect, it } from 'vitest';
import { buildDemoRelease, DEMO_ZIP_NAME } from '../../../scripts/make-demo-release.ts';
import { buildMicroPythonAppRelease, MICROPYTHON_APP_VERSIONS, microPythonAppTree } from '../../../scripts/micropython-app-release.ts';
import { generateSigningKey, readBundle, releaseTrust } from '../src/index.ts';
import { isSourceTreeRelease, sourceTreeFiles } from '../src/source-tree.ts';

describe('the demo release', () => {
  it('is the same bytes on every build and imports as FieldFlash Demo for ESP32', async () => {
    const a = await buildDemoRelease();
    const b = await buildDemoRelease();
    expect(a.name).toBe(DEMO_ZIP_NAME);
    expect(a.name).toMatch(/^fieldflash-demo-\d+\.\d+\.\d+\.zip$/);
    expect(Buffer.compare(a.zip, b.zip)).toBe(0);

    const [release] = await readBundle({ name: a.name, data: new Blob([a.zip as BlobPart]) });
    expect(release!.id).toBe(a.id);
    expect(release).toMatchObject({ format: 'fieldflash', product: 'FieldFlash Demo', sequence: 1, securityVersion: 0 });
    const build = release!.builds[0]!;
    expect(build.target.chipFamily).toBe('ESP32');
    expect(build.flash!.parts.map((p) => p.offset)).toEqual([0x1000, 0x8000, 0xd000, 0x10000]);
    expect(build.ota).toEqual({ kind: 'per-slot', slot0: 'ota/fieldflash-demo-slot0.bin', slot1: 'ota/fieldflash-demo-slot1.bin' });
    const table = release!.files.find((f) => f.role === 'partition-table')!.partitionTable!;
    expect(table.partitions.map((p) => p.label)).toEqual(['nvs', 'otadata', 'phy_init', 'factory', 'ota_0', 'ota_1']);
    const apps = release!.files.filter((f) => f.role === 'app');
    expect(apps).toHaveLength(3);
    expect(apps.every((f) => f.image?.app?.projectName === 'fieldflash-demo' && f.image.chipFamily === 'ESP32' && f.image.appendedHashValid)).toBe(true);
    expect(new Set(apps.map((f) => f.sha256)).size).toBe(3);
    expect(release!.notes).toEqual([]);
  });
});

describe('the signed demo release', () => {
  it('is signed by the demo publisher, trusted with its key, and the same bytes with the same key', async () => {
    const key = await generateSigningKey('ed25519', 'FieldFlash demo publisher');
    const signed = await buildDemoRelease(key);
    expect(Buffer.compare(signed.zip, (await buildDemoRelease(key)).zip)).toBe(0);
    const [release] = await readBundle({ name: signed.name, data: new Blob([signed.zip as BlobPart]) });
    expect(release!.id).toBe((await buildDemoRelease()).id);
    expect(release!.signature).toMatchObject({ algorithm: 'ed25519', keyId: key.publicKey.keyId, path: 'fieldflash.json.sig' });
    expect(await releaseTrust(release!, [key.publicKey], { allowUnsigned: false })).toMatchObject({ verdict: 'trusted' });
  });
});

describe('the demo MicroPython application', () => {
  it('is a source tree for MicroPython 1.22.0 or later in two versions, the same bytes on every build', async () => {
    for (const [i, version] of MICROPYTHON_APP_VERSIONS.entries()) {
      const a = await buildMicroPythonAppRelease(version);
      expect(Buffer.compare(a.zip, (await buildMicroPythonAppRelease(version)).zip)).toBe(0);
      expect(a.name).toBe(`bench-sensor-${version}.zip`);
      const [release] = await readBundle({ name: a.name, data: new Blob([a.zip as BlobPart]) });
      expect(release).toMatchObject({ id: a.id, product: 'Bench Sensor', version, sequence: i + 1, notes: [] });
      expect(isSourceTreeRelease(release!)).toBe(true);
      const build = release!.builds[0]!;
      expect(build.target.runtime).toEqual({ name: 'micropython', minVersion: '1.22.0' });
      expect(build.sourceTree).toEqual({ root: 'src', entry: 'main', deviceLocal: ['env.py'] });
      expect(sourceTreeFiles(release!.files, build.sourceTree!).map((f) => f.path).sort()).toEqual(Object.keys(microPythonAppTree(version)).sort());
    }
  });
});
