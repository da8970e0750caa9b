// Which of the library's source trees the "Copy files to MicroPython" panel offers for the board on the console: by
// the MicroPython version its banner gave and the chip the serial bootloader reported; the others with the reason.
import { describe, expect, it } from 'vitest';
import { readBundle, type Release } from '@fieldflash/bundle';
import { buildMicroPythonAppRelease } from '../../scripts/micropython-app-release.ts';
import { treeChoicesFor } from '../../src/flash/micropython-trees.ts';
import type { ReleaseSummary } from '../../src/store/index.ts';
import { treeRelease } from '../fixtures/micropython-app.ts';

function summary(release: Release, addedAt: number): ReleaseSummary {
  return { ...release, files: release.files.map(({ data: _data, ...info }) => info), addedAt, totalSize: 0 };
}

async function fromZip(zip: Uint8Array, addedAt: number): Promise<ReleaseSummary> {
  const [release] = await readBundle({ name: 'release.zip', data: new Blob([zip as BlobPart]) });
  return summary(release!, addedAt);
}

async function fromFixture(options: Parameters<typeof treeRelease>[0], addedAt: number): Promise<ReleaseSummary> {
  const files = await treeRelease(options);
  const [release] = await readBundle({ name: 'tree', files: files.map((f) => ({ path: f.path, data: new Blob([f.data as BlobPart]) })) });
  return summary(release!, addedAt);
}

describe('the trees offered for a MicroPython board', () => {
  it('offers the trees the board runs, newest first, then the demo app; the others with the reason', async () => {
    const library = [
      await fromZip((await buildMicroPythonAppRelease('1.0.0')).zip, 1),
      await fromZip((await buildMicroPythonAppRelease('1.1.0')).zip, 1),
      await fromFixture({ version: '2.0.0', target: { runtime: { name: 'micropython', minVersion: '1.28.0' } } }, 2),
      await fromFixture({ version: '3.0.0', target: { chipFamily: 'ESP32-S3' } }, 3),
    ];
    const { offered, refused } = treeChoicesFor(library, { version: '1.27.0', chipFamily: 'ESP32' });
    expect(offered.map((c) => c.label)).toEqual(['Bench Sensor 1.1.0', 'Bench Sensor 1.0.0', 'Demo app 1.0.0', 'Demo app 1.1.0']);
    expect(offered[0]!.identity).toEqual({ product: 'Bench Sensor', version: '1.1.0', sequence: 2, securityVersion: 0 });
    expect(refused.map((r) => r.reason)).toEqual([
      'Greenhouse Sensor 3.0.0 is a source tree for ESP32-S3 boards; the device is an ESP32.',
      'Greenhouse Sensor 2.0.0 needs MicroPython 1.28.0 or later; this device runs 1.27.0. Update MicroPython on it first.',
    ]);
  });

  it('a preview build of the version a tree needs comes before it; the release itself is enough', async () => {
    const library = [await fromFixture({ version: '2.0.0', target: { runtime: { name: 'micropython', minVersion: '1.28.0' } } }, 1)];
    expect(treeChoicesFor(library, { version: '1.28.0-preview.203.gd4c5b6fa', chipFamily: 'ESP32' }).refused).toHaveLength(1);
    expect(treeChoicesFor(library, { version: '1.28.0', chipFamily: 'ESP32' }).offered.map((c) => c.label)[0]).toBe('Greenhouse Sensor 2.0.0');
  });
});
