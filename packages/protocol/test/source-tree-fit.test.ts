// Source-tree releases in the fit check that the Devices view and `npm run push` share: they fit only a device that
// reports the MicroPython runtime they need, and the device document's `runtime` is read like every other field.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { describe, expect, test } from 'vitest';
import { readBundle, type Release } from '@fieldflash/bundle';
import { fittingBuild, isSourceTreeImage, MessageError, parseDeviceDocument, planRelease, type DeviceDocument, type ReleaseTargets, UpdateError } from '../src/index.ts';
import { treeRelease } from '../../../test/fixtures/micropython-app.ts';

const device = (runtime?: { name: string; version: string }, chipFamily = 'ESP32'): DeviceDocument => ({
  id: 'ff-240ac4123456', product: 'Greenhouse Sensor', chipFamily, board: 'lolin-d32', hardwareRevision: '1.0', version: '1.2.0',
  sequence: 12, securityVersion: 0, agentVersion: '0.1.0', protocol: { versions: [1] }, capabilities: ['http'], maxImageSize: 1 << 20,
  chunk: { size: 4096, window: 2 }, maxConnections: 3, slots: [{ name: 'a', state: 'active', version: '1.2.0', sha256: 'a'.repeat(64), size: 1 }],
  ...(runtime ? { runtime } : {}),
});

const micropython = (version = '1.22.2') => ({ name: 'micropython', version });

const tree = (target: ReleaseTargets['builds'][number]['target'] = { runtime: { name: 'micropython', minVersion: '1.22.0' } }): ReleaseTargets => ({
  product: 'Greenhouse Sensor', version: '1.3.0',
  builds: [{ target, sourceTree: { root: 'src', entry: 'main', deviceLocal: ['env.py'] } }],
});

function refusal(r: ReleaseTargets, d: DeviceDocument): string | undefined {
  try {
    fittingBuild(r, d);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(UpdateError);
    return (error as Error).message;
  }
}

describe('a source-tree release', () => {
  test('fits a device that reports MicroPython at or above the minimum version', () => {
    for (const version of ['1.22.0', '1.22.2', '1.23.0-preview.203.gd4c5b6fa', '1.27.0']) {
      expect(fittingBuild(tree(), device(micropython(version))).build.sourceTree?.root).toBe('src');
    }
  });

  test('does not fit a firmware device, another runtime, or an older MicroPython, and says why', () => {
    expect(refusal(tree(), device())).toBe('Greenhouse Sensor 1.3.0 is a source tree for MicroPython 1.22.0 or later; this device reports no runtime, so it takes firmware images only.');
    expect(refusal(tree(), device({ name: 'circuitpython', version: '9.0.0' }))).toBe('Greenhouse Sensor 1.3.0 is a source tree for MicroPython 1.22.0 or later; this device runs circuitpython.');
    expect(refusal(tree(), device(micropython('1.21.0')))).toBe('Greenhouse Sensor 1.3.0 needs MicroPython 1.22.0 or later; this device runs 1.21.0. Update MicroPython on it first.');
    expect(refusal(tree(), device(micropython('unknown')))).toMatch(/reports runtime version "unknown", which FieldFlash cannot compare\.$/);
  });

  test('narrowed to a chip family or board, fits only those; without a minimum, any MicroPython', () => {
    expect(refusal(tree({ chipFamily: 'ESP32-S3', runtime: { name: 'micropython' } }), device(micropython()))).toBe('Greenhouse Sensor 1.3.0 is a source tree for ESP32-S3 boards; the device is an ESP32.');
    expect(refusal(tree({ board: 'pico-w', runtime: { name: 'micropython' } }), device(micropython()))).toMatch(/source tree for the board pico-w; the device is a lolin-d32\.$/);
    expect(refusal(tree({ chipFamily: 'ESP32', board: 'LOLIN_D32', runtime: { name: 'micropython' } }), device(micropython('1.0.0')))).toBeUndefined();
  });

  test('beside firmware images, a MicroPython device gets the tree and a firmware device the image', () => {
    const both: ReleaseTargets = { ...tree(), builds: [...tree().builds, { target: { chipFamily: 'ESP32' }, ota: { kind: 'either', image: 'micropython.bin' } }] };
    expect(fittingBuild(both, device(micropython())).build.sourceTree).toBeDefined();
    expect(fittingBuild(both, device()).build.ota).toEqual({ kind: 'either', image: 'micropython.bin' });
  });

  test('goes to a device that takes trees as the files of its tree, offered as a source tree for its runtime', async () => {
    const [release] = await readBundle({ name: 'greenhouse.zip', files: (await treeRelease()).map((f) => ({ path: f.path, data: new Blob([f.data as BlobPart]) })) });
    const plan = planRelease(release as Release, { ...device(micropython()), capabilities: ['http', 'source-tree'] });
    expect(plan.release).toMatchObject({ product: 'Greenhouse Sensor', version: '1.3.0', kind: 'source-tree', runtime: { name: 'micropython', minVersion: '1.22.0' } });
    expect(isSourceTreeImage(plan.image) && plan.image.files.map((f) => f.path)).toEqual(['main.py', 'lib/sensor.py', 'lib/report.py', 'lib/__init__.py']);
  });

  test('is refused before anything is sent to an agent that takes no trees over the LAN', async () => {
    const [release] = await readBundle({ name: 'greenhouse.zip', files: (await treeRelease()).map((f) => ({ path: f.path, data: new Blob([f.data as BlobPart]) })) });
    expect(() => planRelease(release as Release, device(micropython()))).toThrow(
      "Greenhouse Sensor 1.3.0 is a source tree, and this device's agent takes no source trees over the LAN (it lists no source-tree capability). Update the agent, or install the tree over USB; nothing was sent.",
    );
  });
});

describe('the device document\'s runtime', () => {
  const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../docs/protocol/device.schema.json', import.meta.url)), 'utf8'));
  const validate = new Ajv({ strict: true, strictRequired: false }).compile(schema);
  const json = (runtime: unknown) => ({ ...device(), runtime });

  test('is read when present, and its absence is no runtime', () => {
    expect(parseDeviceDocument(json(micropython('1.22.2'))).runtime).toEqual({ name: 'micropython', version: '1.22.2' });
    expect(parseDeviceDocument(device())).not.toHaveProperty('runtime');
    expect(validate(json(micropython()))).toBe(true);
  });

  test('of the wrong shape is refused by the parser and the schema alike, naming the field', () => {
    for (const [runtime, field] of [['micropython', 'DeviceDocument.runtime'], [{ name: 'micropython' }, 'DeviceDocument.runtime.version'], [{ name: '', version: '1.22.0' }, 'DeviceDocument.runtime.name'], [{ name: 'micropython', version: 1.22 }, 'DeviceDocument.runtime.version'], [null, 'DeviceDocument.runtime']] as const) {
      let error: unknown;
      try {
        parseDeviceDocument(json(runtime));
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(runtime)).toBeInstanceOf(MessageError);
      expect((error as MessageError).field).toBe(field);
      expect(validate(json(runtime)), JSON.stringify(runtime)).toBe(false);
    }
  });
});
