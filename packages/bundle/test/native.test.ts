// The native format: a full round trip, and the JSON Schema and the parser agreeing on the documented examples.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import fc from 'fast-check';
import { BundleError, readBundle, writeBundleZip } from '../src/index.ts';
import { readNativeManifest } from '../src/formats/fieldflash.ts';
import { bundleErrorOf, nativeFiles, zipFiles } from './helpers.ts';

const docs = (name: string) => readFileSync(fileURLToPath(new URL(`../../../docs/${name}`, import.meta.url)), 'utf8');
const schema = JSON.parse(docs('bundle-format.schema.json'));
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
const docExamples = [...docs('bundle-format.md').matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!)).filter((j) => j.format === 'fieldflash-release');

function parserAccepts(json: unknown): boolean {
  try {
    readNativeManifest(json as Record<string, unknown>, 'fieldflash.json');
    return true;
  } catch (err) {
    if (err instanceof BundleError) return false;
    throw err;
  }
}

describe('native manifests', () => {
  it('round-trip: every field reaches the release, and export re-imports with the same id', async () => {
    const files = await nativeFiles({ flashSize: '4MB' });
    const [release] = await readBundle({ name: 'test-1.2.0.zip', data: await zipFiles(files) });
    expect(release).toMatchObject({ format: 'fieldflash', product: 'Test Product', version: '1.2.0', declaredVersion: '1.2.0', sequence: 7, securityVersion: 1, manifestPath: 'fieldflash.json' });
    expect(release!.notes).toEqual([]);
    expect(release!.builds).toEqual([
      {
        target: { chipFamily: 'ESP32', board: 'test-board', hardwareRevision: '>=1.0.0' },
        ota: { kind: 'per-slot', slot0: 'ota/slot0.bin', slot1: 'ota/slot1.bin' },
        flash: {
          erase: 'all',
          flashSize: 4 * 1024 * 1024,
          parts: [
            { path: 'bootloader.bin', offset: 0x1000, origin: { from: 'manifest', manifest: 'fieldflash.json', field: 'targets[0].flash.parts[0].offset' } },
            { path: 'partition-table.bin', offset: 0x8000, origin: { from: 'manifest', manifest: 'fieldflash.json', field: 'targets[0].flash.parts[1].offset' } },
            { path: 'app.bin', offset: 0x10000, origin: { from: 'manifest', manifest: 'fieldflash.json', field: 'targets[0].flash.parts[2].offset' } },
          ],
        },
      },
    ]);
    expect(release!.files.map((f) => [f.path, f.role, f.digestDeclared])).toEqual([
      ['fieldflash.json', 'manifest', false],
      ['bootloader.bin', 'bootloader', true],
      ['partition-table.bin', 'partition-table', true],
      ['app.bin', 'app', true],
      ['ota/slot0.bin', 'app', true],
      ['ota/slot1.bin', 'app', true],
    ]);
    const [again] = await readBundle({ name: 'export.zip', data: await writeBundleZip(release!) });
    expect(again!.id).toBe(release!.id);
    expect(again!.builds).toEqual(release!.builds);
  });

  it('records a detached signature without changing the release id', async () => {
    const files = await nativeFiles();
    const [plain] = await readBundle({ name: 'a.zip', data: await zipFiles(files) });
    const sig = { format: 'fieldflash-signature', algorithm: 'ed25519', keyId: 'test-key', signature: 'AAAA' };
    const [signed] = await readBundle({ name: 'b.zip', data: await zipFiles([...files, { path: 'fieldflash.json.sig', data: new TextEncoder().encode(JSON.stringify(sig)) }]) });
    expect(signed!.signature).toEqual({ algorithm: 'ed25519', keyId: 'test-key', path: 'fieldflash.json.sig' });
    expect(signed!.files.find((f) => f.path === 'fieldflash.json.sig')?.role).toBe('signature');
    expect(signed!.id).toBe(plain!.id);
  });

  it('reads the distribution policy appliesTo, and refuses a range it cannot read, naming the field and value', async () => {
    const [plain] = await readBundle({ name: 'a.zip', data: await zipFiles(await nativeFiles()) });
    expect(plain!.appliesTo).toBeUndefined();
    const [policy] = await readBundle({ name: 'b.zip', data: await zipFiles(await nativeFiles({ mutate: (m) => (m.appliesTo = '>=1.2.0 <2.0.0') })) });
    expect(policy!.appliesTo).toBe('>=1.2.0 <2.0.0');
    const [again] = await readBundle({ name: 'export.zip', data: await writeBundleZip(policy!) });
    expect(again!.appliesTo).toBe('>=1.2.0 <2.0.0');
    const bad = await bundleErrorOf(readBundle({ name: 'c.zip', data: await zipFiles(await nativeFiles({ mutate: (m) => (m.appliesTo = 'from 1.2 onwards') })) }));
    expect(bad).toMatchObject({ code: 'invalid-manifest', field: 'appliesTo', file: 'fieldflash.json' });
    expect(bad.message).toContain('"from 1.2 onwards"');
    expect(bad.message).toContain('SemVer range');
    const notText = await bundleErrorOf(readBundle({ name: 'd.zip', data: await zipFiles(await nativeFiles({ mutate: (m) => (m.appliesTo = 1) })) }));
    expect(notText).toMatchObject({ code: 'invalid-manifest', field: 'appliesTo' });
  });

  it('refuses a non-SemVer version and an unlisted file, naming the field', async () => {
    const bad = await bundleErrorOf(readBundle({ name: 'a.zip', data: await zipFiles(await nativeFiles({ mutate: (m) => (m.version = '1.2') })) }));
    expect(bad).toMatchObject({ code: 'invalid-manifest', field: 'version', file: 'fieldflash.json' });
    expect(bad.message).toContain('"1.2"');
    const unlisted = await bundleErrorOf(readBundle({ name: 'a.zip', data: await zipFiles(await nativeFiles({ mutate: (m) => (m.targets[0].ota.slot1 = 'ota/other.bin') })) }));
    expect(unlisted).toMatchObject({ code: 'invalid-manifest', field: 'targets[0].ota.slot1' });
  });
});

describe('the JSON Schema and the parser agree', () => {
  it('on the examples in docs/bundle-format.md', () => {
    expect(docExamples.length).toBeGreaterThanOrEqual(2);
    for (const example of docExamples) {
      expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
      expect(parserAccepts(example)).toBe(true);
    }
  });

  it('on manifests FieldFlash writes', async () => {
    const manifest = JSON.parse(new TextDecoder().decode((await nativeFiles())[0]!.data));
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(parserAccepts(manifest)).toBe(true);
  });

  it.each([
    ['format missing', (m: any) => delete m.format],
    ['formatVersion 2', (m: any) => (m.formatVersion = 2)],
    ['version not SemVer', (m: any) => (m.version = 'v1.0')],
    ['negative sequence', (m: any) => (m.sequence = -1)],
    ['sequence as text', (m: any) => (m.sequence = '1')],
    ['no targets', (m: any) => (m.targets = [])],
    ['target without ota or flash', (m: any) => (m.targets[0] = { chipFamily: 'ESP32' })],
    ['unknown chip family', (m: any) => (m.targets[0].chipFamily = 'ESP31')],
    ['ota with only slot0', (m: any) => (m.targets[0].ota = { slot0: m.targets[0].ota.slot0 })],
    ['bad erase policy', (m: any) => (m.targets[0].flash.erase = 'some')],
    ['bad offset', (m: any) => (m.targets[0].flash.parts[0].offset = '0x10g')],
    ['short sha256', (m: any) => (m.files[0].sha256 = 'abc')],
    ['unknown role', (m: any) => (m.files[0].role = 'kernel')],
    ['absolute path', (m: any) => (m.files[0].path = '/bootloader.bin')],
    ['unknown field', (m: any) => (m.signedBy = 'me')],
    ['misspelt target field', (m: any) => (m.targets[0].hardwareRev = '1.0.0')],
    ['appliesTo empty', (m: any) => (m.appliesTo = ' ')],
    ['appliesTo as a list', (m: any) => (m.appliesTo = ['>=1.0.0'])],
  ])('both refuse: %s', (_, mutate) => {
    const manifest = structuredClone(docExamples[0]);
    mutate(manifest);
    expect(validate(manifest)).toBe(false);
    expect(parserAccepts(manifest)).toBe(false);
  });

  it('whatever the parser accepts, the schema accepts (random field changes)', () => {
    const base = docExamples[0];
    const paths = ['product', 'version', 'sequence', 'securityVersion', 'appliesTo', 'targets.0.chipFamily', 'targets.0.board', 'targets.0.flash.erase', 'targets.0.flash.flashSize', 'targets.0.flash.flashMode', 'targets.0.flash.parts.0.offset', 'files.0.size', 'files.0.sha256', 'files.0.role'];
    const value = fc.oneof(fc.string(), fc.integer({ min: -5, max: 2 ** 33 }), fc.constantFrom('0x1000', '4MB', 'dio', 'all', 'esp32-s3', '1.0.0', '>=1.2.0 <2.0.0', '', ' ', 'a'.repeat(64), null, true));
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, (path, v) => {
        const manifest = structuredClone(base);
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
