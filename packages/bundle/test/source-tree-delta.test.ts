// What a LAN update of a source tree sends, worked out from a real release and the digests a device reports.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeSourceTreeDelta, readBundle, sourceTreeDelta, sourceTreeFiles, type DeviceFileDigest, type SourceTreeFile } from '../src/index.ts';
import { appTree, DEVICE_ENV, treeRelease } from '../../../test/fixtures/micropython-app.ts';
import { zipFiles } from './helpers.ts';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

async function releaseTree(version: string): Promise<SourceTreeFile[]> {
  const [release] = await readBundle({ name: `greenhouse-${version}.zip`, data: await zipFiles(await treeRelease({ version })) });
  return sourceTreeFiles(release!.files, release!.builds[0]!.sourceTree!);
}

/** What a device running `version` of the app reports: every file of its tree, its env.py and its .version. */
function deviceRunning(version: string): DeviceFileDigest[] {
  return [
    ...appTree(version).map((f) => ({ path: f.path, sha256: sha256(f.data) })),
    { path: 'env.py', sha256: sha256(DEVICE_ENV) },
    { path: '.version', sha256: sha256(version) },
  ];
}

describe('sourceTreeDelta', () => {
  it('sends only the files whose digest differs, and counts the bytes that saves', async () => {
    const tree = await releaseTree('1.3.0');
    // Only main.py names the version, so an update from 1.2.0 changes that file alone.
    const delta = sourceTreeDelta(tree, deviceRunning('1.2.0'));
    expect(delta.send.map((f) => f.path)).toEqual(['main.py']);
    expect(delta.unchanged.map((f) => f.path)).toEqual(['lib/sensor.py', 'lib/report.py', 'lib/__init__.py']);
    expect(delta.removed).toEqual([]);
    const size = (path: string) => tree.find((f) => f.path === path)!.size;
    expect(delta.bytesToSend).toBe(size('main.py'));
    expect(delta.bytesSaved).toBe(size('lib/sensor.py') + size('lib/report.py') + size('lib/__init__.py'));
    expect(delta.totalBytes).toBe(tree.reduce((n, f) => n + f.size, 0));
    expect(describeSourceTreeDelta(delta)).toBe(`Sends 1 of 4 files (${size('main.py')} bytes of ${delta.totalBytes} bytes): ${delta.bytesSaved} bytes saved.`);
  });

  it('sends everything to an empty device and nothing to one that holds the same tree', async () => {
    const tree = await releaseTree('1.3.0');
    const fresh = sourceTreeDelta(tree, []);
    expect(fresh.send).toHaveLength(4);
    expect(fresh.bytesSaved).toBe(0);
    const same = sourceTreeDelta(tree, deviceRunning('1.3.0'));
    expect(same.send).toEqual([]);
    expect(same.bytesToSend).toBe(0);
    expect(same.bytesSaved).toBe(same.totalBytes);
  });

  it('reads upper-case digests, lists files the new tree drops, and never touches device-local files or .version', async () => {
    const tree = await releaseTree('1.3.0');
    const device = [
      ...deviceRunning('1.3.0').map((f) => ({ ...f, sha256: f.sha256.toUpperCase() })),
      { path: 'lib/old_driver.py', sha256: 'b'.repeat(64) },
      { path: 'data/calibration.json', sha256: 'c'.repeat(64) },
    ];
    const delta = sourceTreeDelta(tree, device, ['env.py', 'data/']);
    expect(delta.send).toEqual([]);
    expect(delta.removed).toEqual(['lib/old_driver.py']);
    expect(describeSourceTreeDelta(delta)).toMatch(/: \S+ \S+ saved; removes 1 the new tree no longer has\.$/);
  });

  it('never sends a device-local file, even one a tree list carries', () => {
    const listed: SourceTreeFile[] = [
      { path: 'main.py', bundlePath: 'src/main.py', size: 10, sha256: 'a'.repeat(64) },
      { path: 'env.py', bundlePath: 'src/env.py', size: 99, sha256: 'e'.repeat(64) },
      { path: '.version', bundlePath: 'src/.version', size: 5, sha256: 'f'.repeat(64) },
    ];
    const delta = sourceTreeDelta(listed, []);
    expect(delta.send.map((f) => f.path)).toEqual(['main.py']);
    expect(delta.totalBytes).toBe(10);
  });
});
