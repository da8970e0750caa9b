// Source-tree releases (MicroPython): a native manifest and a bare project folder, read from real zips and folders,
// and every bad input refused with its own error naming the file, the field and the value.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import fc from 'fast-check';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { BundleError, compatibility, pickBuild, readBundle, sourceTreeFiles, writeBundleZip, type Release } from '../src/index.ts';
import { readNativeManifest } from '../src/formats/fieldflash.ts';
import { appTree, bareProject, treeRelease, DEVICE_ENV, type TreeFile } from '../../../test/fixtures/micropython-app.ts';
import { asFolder, bundleErrorOf, zipFiles } from './helpers.ts';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../docs/bundle-format.schema.json', import.meta.url)), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

const read = async (name: string, files: TreeFile[]) => (await readBundle({ name, data: await zipFiles(files) }))[0]!;
const treeOf = (release: Release) => sourceTreeFiles(release.files, release.builds[0]!.sourceTree!);
const manifestOf = (files: TreeFile[]) => JSON.parse(new TextDecoder().decode(files[0]!.data));

async function zipEntries(blob: Blob): Promise<string[]> {
  const zip = await JSZip.loadAsync(await blob.arrayBuffer());
  return Object.keys(zip.files).sort();
}

describe('a source-tree release with a manifest', () => {
  it('reads the runtime, the tree and its files with their device paths, from a zip and from a folder alike', async () => {
    const files = await treeRelease();
    expect(validate(manifestOf(files)), JSON.stringify(validate.errors)).toBe(true);
    const release = await read('greenhouse-1.3.0.zip', files);
    expect(release).toMatchObject({ format: 'fieldflash', product: 'Greenhouse Sensor', version: '1.3.0', sequence: 13, securityVersion: 0 });
    expect(release.builds).toEqual([
      { target: { runtime: { name: 'micropython', minVersion: '1.22.0' } }, sourceTree: { root: 'src', entry: 'main', deviceLocal: ['env.py'] } },
    ]);
    expect(release.files.map((f) => [f.path, f.role, f.digestDeclared])).toEqual([
      ['fieldflash.json', 'manifest', false],
      ['src/main.py', 'source', true],
      ['src/lib/sensor.py', 'source', true],
      ['src/lib/report.py', 'source', true],
      ['src/lib/__init__.py', 'source', true],
    ]);
    const tree = treeOf(release);
    expect(tree.map((f) => [f.path, f.bundlePath, f.size])).toEqual(appTree('1.3.0').map((f) => [f.path, `src/${f.path}`, f.data.length]));
    expect(tree.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);

    const [fromFolder] = await readBundle({ name: 'greenhouse', files: asFolder(files) });
    expect(fromFolder!.id).toBe(release.id);
    const [again] = await readBundle({ name: 'export.zip', data: await writeBundleZip(release) });
    expect(again!.id).toBe(release.id);
    expect(again!.builds).toEqual(release.builds);
  });

  it('takes the defaults: entry main, device-local env.py; "." is the manifest\'s folder; a chip family narrows it', async () => {
    const files = await treeRelease({ target: { chipFamily: 'ESP32', board: 'lolin-d32' }, mutate: (m) => (m.targets[0].sourceTree = { root: 'src' }) });
    const release = await read('a.zip', files);
    expect(release.builds[0]).toEqual({
      target: { chipFamily: 'ESP32', board: 'lolin-d32', runtime: { name: 'micropython', minVersion: '1.22.0' } },
      sourceTree: { root: 'src', entry: 'main', deviceLocal: ['env.py'] },
    });
    const nested = (await treeRelease()).map((f) => ({ path: `release/${f.path.replace(/^src\//, '')}`, data: f.data }));
    const manifest = manifestOf(nested);
    manifest.targets[0].sourceTree.root = '.';
    manifest.files.forEach((f: { path: string }) => (f.path = f.path.replace(/^src\//, '')));
    nested[0]!.data = new TextEncoder().encode(JSON.stringify(manifest));
    const atRoot = await read('b.zip', nested);
    expect(atRoot.builds[0]!.sourceTree!.root).toBe('release');
    expect(treeOf(atRoot).map((f) => f.path)).toEqual(['main.py', 'lib/sensor.py', 'lib/report.py', 'lib/__init__.py']);
  });

  it('is never a flash image: no build for a chip, and the reason says how it is installed', async () => {
    const release = await read('a.zip', await treeRelease({ target: { chipFamily: 'ESP32' } }));
    expect(pickBuild(release, 'ESP32')).toBeUndefined();
    expect(compatibility(release, 'ESP32')).toEqual({
      ok: false,
      reason: 'Greenhouse Sensor 1.3.0 is a MicroPython source tree: installed by the agent over the LAN or onto a MicroPython board, not flashed as an image.',
    });
  });
});

describe('bad source-tree manifests are refused, each with its own words', () => {
  const refused = async (options: Parameters<typeof treeRelease>[0], files?: (f: TreeFile[]) => TreeFile[]) => {
    const made = await treeRelease(options);
    return bundleErrorOf(readBundle({ name: 'bad.zip', data: await zipFiles(files ? files(made) : made) }));
  };

  it('a device-local file shipped in the tree', async () => {
    const error = await refused({ extra: [{ path: 'src/env.py', data: DEVICE_ENV }] });
    expect(error).toMatchObject({ code: 'invalid-manifest', file: 'fieldflash.json', field: 'files[4].path' });
    expect(error.message).toContain('"src/env.py"');
    expect(error.message).toContain('declares device-local: an update never writes it, so a release must not carry it');
    expect(error.hint).toContain('each device keeps its own env.py');
    const inFolder = await refused({ extra: [{ path: 'src/data/calibration.json', data: new TextEncoder().encode('[1]') }], mutate: (m) => (m.targets[0].sourceTree.deviceLocal = ['env.py', 'data/']) });
    expect(inFolder).toMatchObject({ code: 'invalid-manifest', field: 'files[4].path' });
    expect(inFolder.message).toContain('data/calibration.json');
  });

  it('.version in the tree, which the device writes itself', async () => {
    const error = await refused({ extra: [{ path: 'src/.version', data: new TextEncoder().encode('1.3.0') }] });
    expect(error).toMatchObject({ code: 'invalid-manifest', field: 'files[4].path' });
    expect(error.message).toContain('the device writes that file itself, from "version"');
  });

  it('paths that escape: a device-local path, the root, a file', async () => {
    const local = await refused({ mutate: (m) => (m.targets[0].sourceTree.deviceLocal = ['../secrets.py']) });
    expect(local).toMatchObject({ code: 'unsafe-path', field: 'targets[0].sourceTree.deviceLocal[0]' });
    expect(local.message).toContain('"../secrets.py"');
    const absolute = await refused({ mutate: (m) => (m.targets[0].sourceTree.deviceLocal = ['/env.py']) });
    expect(absolute).toMatchObject({ code: 'unsafe-path', field: 'targets[0].sourceTree.deviceLocal[0]' });
    const root = await refused({ mutate: (m) => (m.targets[0].sourceTree.root = '../src') });
    expect(root).toMatchObject({ code: 'unsafe-path', field: 'targets[0].sourceTree.root' });
    const file = await refused({ mutate: (m) => (m.files[1].path = '../lib/sensor.py') });
    expect(file).toMatchObject({ code: 'unsafe-path', field: 'files[1].path' });
  });

  it('a file whose bytes differ from its digest', async () => {
    // One byte changed, the size kept: only the digest tells.
    const changed = await refused({}, (files) => files.map((f) => (f.path === 'src/main.py' ? { ...f, data: Uint8Array.from(f.data, (b, i) => (i === 0 ? 0x21 : b)) } : f)));
    expect(changed).toMatchObject({ code: 'digest-mismatch', file: 'src/main.py', field: 'files[0].path' });
    expect(changed.message).toContain('does not match the SHA-256 in fieldflash.json');
    const shorter = await refused({}, (files) => files.map((f) => (f.path === 'src/lib/sensor.py' ? { ...f, data: new TextEncoder().encode('print("changed")\n') } : f)));
    expect(shorter).toMatchObject({ code: 'size-mismatch', file: 'src/lib/sensor.py', field: 'files[1].path' });
  });

  it('values of the wrong type or kind', async () => {
    // The last element is false where only FieldFlash can tell: the schema does not relate a file to a tree.
    const cases: Array<[string, (m: any) => void, string, string, boolean?]> = [
      ['runtime as text', (m) => (m.targets[0].runtime = 'micropython'), 'targets[0].runtime', 'must be an object'],
      ['an unknown runtime', (m) => (m.targets[0].runtime.name = 'cpython'), 'targets[0].runtime.name', '"cpython"'],
      ['a minimum version that is not SemVer', (m) => (m.targets[0].runtime.minVersion = '1.22'), 'targets[0].runtime.minVersion', '"1.22"'],
      ['a minimum version as a number', (m) => (m.targets[0].runtime.minVersion = 1.22), 'targets[0].runtime.minVersion', '1.22'],
      ['deviceLocal as text', (m) => (m.targets[0].sourceTree.deviceLocal = 'env.py'), 'targets[0].sourceTree.deviceLocal', 'must be a list'],
      ['an entry written as a file', (m) => (m.targets[0].sourceTree.entry = 'main.py'), 'targets[0].sourceTree.entry', 'module name'],
      ['a root as a number', (m) => (m.targets[0].sourceTree.root = 1), 'targets[0].sourceTree.root', 'must be a non-empty text'],
      ['a tree without root', (m) => (m.targets[0].sourceTree = { entry: 'main' }), 'targets[0].sourceTree.root', 'missing'],
      ['a tree without runtime', (m) => delete m.targets[0].runtime, 'targets[0].runtime', 'is needed beside "sourceTree"'],
      ['a runtime without tree', (m) => delete m.targets[0].sourceTree, 'targets[0].sourceTree', 'is needed beside "runtime"'],
      ['a tree with ota images', (m) => (m.targets[0].ota = { image: 'src/main.py' }), 'targets[0]', 'a target is one or the other'],
      ['another role for a file of the tree', (m) => (m.files[1].role = 'app'), 'files[1].role', 'must be "source"', false],
      ['a misspelt tree field', (m) => (m.targets[0].sourceTree.devicelocal = []), 'targets[0].sourceTree.devicelocal', 'is not a field'],
    ];
    for (const [what, mutate, field, words, schemaSays = true] of cases) {
      const error = await refused({ mutate });
      expect(error, what).toMatchObject({ code: 'invalid-manifest', file: 'fieldflash.json', field });
      expect(error.message, what).toContain(words);
      const manifest = manifestOf(await treeRelease({ mutate }));
      expect(validate(manifest), `${what}: the schema refuses it too`).toBe(!schemaSays);
    }
  });

  it('an entry module the tree lacks, and a source role outside any tree', async () => {
    const entry = await refused({ mutate: (m) => (m.targets[0].sourceTree.entry = 'app.main') });
    expect(entry).toMatchObject({ code: 'missing-file', field: 'targets[0].sourceTree.entry' });
    expect(entry.message).toContain('holds no app/main.py or app/main.mpy');
    const outside = await refused({ extra: [{ path: 'README.md', data: new TextEncoder().encode('# hi') }], mutate: (m) => (m.files[4].role = 'source') });
    expect(outside).toMatchObject({ code: 'invalid-manifest', field: 'files[4].role' });
  });
});

describe('the JSON Schema and the parser agree on source trees', () => {
  const example = [...readFileSync(fileURLToPath(new URL('../../../docs/bundle-format.md', import.meta.url)), 'utf8').matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => JSON.parse(m[1]!))
    .find((j) => j.targets?.[0]?.sourceTree);
  const parserAccepts = (json: unknown) => {
    try {
      readNativeManifest(json as Record<string, unknown>, 'fieldflash.json');
      return true;
    } catch (err) {
      if (err instanceof BundleError) return false;
      throw err;
    }
  };

  it('on the documented example, and whatever the parser accepts the schema accepts', () => {
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(parserAccepts(example)).toBe(true);
    const paths = ['targets.0.runtime.name', 'targets.0.runtime.minVersion', 'targets.0.sourceTree.root', 'targets.0.sourceTree.entry', 'targets.0.sourceTree.deviceLocal.0', 'targets.0.chipFamily', 'files.1.role'];
    const value = fc.oneof(fc.string(), fc.integer({ min: -5, max: 5 }), fc.constantFrom('micropython', '1.22.0', '1.22', '.', './', 'src/', '../src', 'main', 'app.main', 'main.py', 'data/', '/env.py', 'a//b', 'esp32', 'source', 'app', null, true, []));
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, (path, v) => {
        const manifest = structuredClone(example);
        const keys = path.split('.');
        let obj = manifest;
        for (const k of keys.slice(0, -1)) obj = obj[k];
        obj[keys.at(-1)!] = v;
        if (parserAccepts(manifest)) expect(validate(manifest), `${path} = ${JSON.stringify(v)}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('a MicroPython project folder without a manifest', () => {
  it('is read as a source tree: src/ is the tree, the folder names the product, .version the version', async () => {
    const project = bareProject('v1.4.0');
    const [release] = await readBundle({ name: 'greenhouse-sensor', files: asFolder(project) });
    expect(release).toMatchObject({ format: 'source-tree', product: 'greenhouse-sensor', version: '1.4.0', declaredVersion: 'v1.4.0' });
    expect(release!.builds).toEqual([{ target: { runtime: { name: 'micropython' } }, sourceTree: { root: 'src', entry: 'main', deviceLocal: ['env.py'] } }]);
    expect(release!.files.map((f) => [f.path, f.role])).toEqual([
      ['src/main.py', 'source'],
      ['src/lib/sensor.py', 'source'],
      ['src/lib/report.py', 'source'],
      ['src/lib/__init__.py', 'source'],
      ['src/.version', 'other'],
    ]);
    expect(treeOf(release!).map((f) => f.path)).toEqual(['main.py', 'lib/sensor.py', 'lib/report.py', 'lib/__init__.py']);
    const notes = release!.notes.map((n) => `${n.level}: ${n.message}`);
    expect(notes).toContain('info: src/.version gives the version as "v1.4.0"; FieldFlash reads it as SemVer 1.4.0.');
    expect(notes.some((n) => n.startsWith('warning: Left out src/env.py: device-local'))).toBe(true);
    expect(notes.some((n) => n.includes('Left out 4 files that lie outside src/ or belong to the project') && n.includes('README.md'))).toBe(true);
    // The device's secrets were never read into the release.
    expect(release!.files.some((f) => f.path.endsWith('env.py'))).toBe(false);
  });

  it('gives the same release from the folder, a zip of the folder, a zip of its contents, and its own export', async () => {
    const project = bareProject('1.4.0');
    const [folder] = await readBundle({ name: 'greenhouse-sensor', files: asFolder(project) });
    const wrapped = await read('anything.zip', project.map((f) => ({ path: `greenhouse-sensor/${f.path}`, data: f.data })));
    const flat = await read('greenhouse-sensor-1.4.0.zip', project);
    expect(wrapped.product).toBe('greenhouse-sensor');
    expect(flat.product).toBe('greenhouse-sensor');
    expect(new Set([folder!.id, wrapped.id, flat.id]).size).toBe(1);
    const exported = await writeBundleZip(folder!);
    expect(await zipEntries(exported)).toEqual(['greenhouse-sensor/src/.version', 'greenhouse-sensor/src/lib/__init__.py', 'greenhouse-sensor/src/lib/report.py', 'greenhouse-sensor/src/lib/sensor.py', 'greenhouse-sensor/src/main.py']);
    const [again] = await readBundle({ name: 'greenhouse-sensor-1.4.0.zip', data: exported });
    expect(again).toMatchObject({ id: folder!.id, product: 'greenhouse-sensor', version: '1.4.0' });
    expect(await zipEntries(await writeBundleZip(again!))).toEqual(await zipEntries(exported));
  });

  it('reads main.py at the top, with its __version__, and marks a tree with no version 0.0.0-unversioned', async () => {
    const tree = appTree('x').map((f) => (f.path === 'main.py' ? { ...f, data: new TextEncoder().encode(`__version__ = "2.0.1"\n${new TextDecoder().decode(f.data)}`) } : f));
    const [top] = await readBundle({ name: 'blink', files: asFolder(tree) });
    expect(top).toMatchObject({ product: 'blink', version: '2.0.1', declaredVersion: '2.0.1' });
    expect(top!.builds[0]!.sourceTree!.root).toBe('');
    expect(treeOf(top!).map((f) => f.path)).toEqual(['main.py', 'lib/sensor.py', 'lib/report.py', 'lib/__init__.py']);

    const [none] = await readBundle({ name: 'blink', files: asFolder(bareProject()) });
    expect(none).toMatchObject({ product: 'blink', version: '0.0.0-unversioned' });
    expect(none!.notes.find((n) => n.level === 'warning' && n.message.includes('says no version'))?.message).toBe(
      'blink says no version (no .version file and no __version__ in main.py), so FieldFlash marks it 0.0.0-unversioned, below every numbered release. Add a .version file holding the version, such as 1.0.0.',
    );
  });

  it('a folder without main.py where one belongs is not a source tree', async () => {
    const error = await bundleErrorOf(readBundle({ name: 'scripts', files: asFolder([{ path: 'lib/util.py', data: new TextEncoder().encode('x = 1\n') }]) }));
    expect(error.code).toBe('no-manifest');
    expect(error.hint).toContain('a MicroPython folder with main.py or src/main.py');
  });
});
