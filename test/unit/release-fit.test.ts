// Which library releases fit a device, and in what order: those that fit newest first by SemVer, then the others,
// each with the reason it does not fit, before a byte is sent.
import type { DeviceDocument } from '@fieldflash/protocol';
import { describe, expect, test } from 'vitest';
import { releaseFit, releaseFits } from '../../src/devices/release-fit.ts';
import type { ReleaseSummary } from '../../src/store/index.ts';

const device: DeviceDocument = {
  id: 'ff-240ac4123456', product: 'demo-sensor', chipFamily: 'ESP32', board: 'devkitc-v4', hardwareRevision: '2.1', version: '1.2.0',
  sequence: 12, securityVersion: 2, agentVersion: '0.1.0', protocol: { versions: [1] }, capabilities: ['http'], maxImageSize: 1 << 24,
  chunk: { size: 65536, window: 4 }, maxConnections: 8, slots: [{ name: 'a', state: 'active', version: '1.2.0', sha256: 'a'.repeat(64), size: 1 }],
};

function summary(version: string, change: Partial<ReleaseSummary> & { target?: Partial<ReleaseSummary['builds'][number]['target']> } = {}): ReleaseSummary {
  const { target, ...rest } = change;
  return {
    id: `id-${version}-${JSON.stringify(change)}`, format: 'fieldflash', product: 'demo-sensor', version, declaredVersion: version, sequence: 12, securityVersion: 2,
    builds: [{ target: { chipFamily: 'ESP32', board: 'devkitc-v4', ...target }, ota: { kind: 'per-slot', slot0: 'ota/slot0.bin', slot1: 'ota/slot1.bin' } }],
    files: [], notes: [], sourceName: `demo-sensor-${version}.zip`, addedAt: 0, totalSize: 0, ...rest,
  } as ReleaseSummary;
}

const reason = (fit: ReturnType<typeof releaseFit>) => (fit.fits ? undefined : fit.reason);

describe('release fit', () => {
  test('releases of the product, chip, board and hardware revision fit, newest first; upgrade, reinstall or downgrade', () => {
    const fits = releaseFits([summary('1.1.0'), summary('1.10.0'), summary('1.2.0'), summary('1.9.1', { target: { hardwareRevision: '>=2.0.0 <3.0.0' } })], device);
    expect(fits.map((f) => [f.release.version, f.fits && f.direction])).toEqual([
      ['1.10.0', 'upgrade'],
      ['1.9.1', 'upgrade'],
      ['1.2.0', 'reinstall'],
      ['1.1.0', 'downgrade'],
    ]);
  });

  test('a release that does not fit says why, and is listed after those that do', () => {
    expect(reason(releaseFit(summary('2.0.0', { product: 'garage-door' }), device))).toBe(
      'garage-door 2.0.0 is a release of garage-door; the device runs demo-sensor. Pick a release of demo-sensor.',
    );
    expect(reason(releaseFit(summary('2.0.0', { target: { chipFamily: 'ESP32-S3' } }), device))).toMatch(/is built for ESP32-S3; the device is an ESP32/);
    expect(reason(releaseFit(summary('2.0.0', { target: { board: 'lilygo-t7' } }), device))).toMatch(/is built for the boards lilygo-t7; the device is a devkitc-v4/);
    expect(reason(releaseFit(summary('2.0.0', { target: { hardwareRevision: '>=3.0.0' } }), device))).toMatch(/supports hardware revisions >=3\.0\.0; the device is revision 2\.1/);
    expect(reason(releaseFit(summary('2.0.0', { appliesTo: '>=1.3.0 <2.0.0' }), device))).toBe(
      'demo-sensor 2.0.0 applies to devices running >=1.3.0 <2.0.0; this one runs 1.2.0.',
    );
    expect(releaseFit(summary('2.0.0', { appliesTo: '>=1.2.0 <2.0.0' }), device).fits).toBe(true);
    expect(reason(releaseFit(summary('2.0.0', { securityVersion: 1 }), device))).toBe(
      "demo-sensor 2.0.0 has security version 1, below the device's 2: the device refuses it, even as a downgrade.",
    );
    expect(reason(releaseFit(summary('2.0.0', { sequence: 11 }), device))).toMatch(/has sequence 11, below the device's 12: the device never goes back/);
    const fits = releaseFits([summary('3.0.0', { product: 'garage-door' }), summary('1.3.0')], device);
    expect(fits.map((f) => [f.release.product, f.fits])).toEqual([
      ['demo-sensor', true],
      ['garage-door', false],
    ]);
  });

  test('a release with only a first-install layout, or without a SemVer version, does not fit an update over the LAN', () => {
    const layoutOnly = summary('2.0.0', { builds: [{ target: { chipFamily: 'ESP32' }, flash: { parts: [], erase: 'all' } }] });
    expect(reason(releaseFit(layoutOnly, device))).toMatch(/has no app image to send over the LAN/);
    expect(reason(releaseFit(summary('f4076f9-dirty', { versionOrder: 'build-time' }), device))).toMatch(/has no SemVer version/);
  });
});
