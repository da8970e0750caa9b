// The distribution policy (a release's appliesTo range over the device's current version) in the fit check that
// the Devices view and `npm run push` share: a release that leaves the device out does not fit, and says why.
import { describe, expect, test } from 'vitest';
import { fittingBuild, type DeviceDocument, type ReleaseTargets, UpdateError } from '../src/index.ts';

const device = (version: string): DeviceDocument => ({
  id: 'ff-240ac4123456', product: 'demo-sensor', chipFamily: 'ESP32', board: 'devkitc-v4', hardwareRevision: '2.1', version,
  sequence: 12, securityVersion: 2, agentVersion: '0.1.0', protocol: { versions: [1] }, capabilities: ['http'], maxImageSize: 1 << 24,
  chunk: { size: 65536, window: 4 }, maxConnections: 8, slots: [{ name: 'a', state: 'active', version, sha256: 'a'.repeat(64), size: 1 }],
});

const release = (appliesTo?: string, chipFamily: 'ESP32' | 'ESP32-S3' = 'ESP32'): ReleaseTargets => ({
  product: 'demo-sensor', version: '2.0.0', ...(appliesTo !== undefined ? { appliesTo } : {}),
  builds: [{ target: { chipFamily, board: 'devkitc-v4' }, ota: { kind: 'either', image: 'app.bin' } }],
});

/** The reason fittingBuild gives, or undefined when the release fits. */
function refusal(r: ReleaseTargets, d: DeviceDocument): string | undefined {
  try {
    fittingBuild(r, d);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(UpdateError);
    return (error as Error).message;
  }
}

describe('appliesTo', () => {
  test('a release fits a device whose version is inside the range, at both ends', () => {
    for (const version of ['1.2.0', '1.5.3', '1.99.99']) {
      expect(fittingBuild(release('>=1.2.0 <2.0.0'), device(version)).build.target.chipFamily).toBe('ESP32');
    }
  });

  test('a release does not fit a device outside the range, and says so in words', () => {
    expect(refusal(release('>=1.2.0 <2.0.0'), device('1.0.0'))).toBe('demo-sensor 2.0.0 applies to devices running >=1.2.0 <2.0.0; this one runs 1.0.0.');
    expect(refusal(release('>=1.2.0 <2.0.0'), device('2.0.0'))).toBe('demo-sensor 2.0.0 applies to devices running >=1.2.0 <2.0.0; this one runs 2.0.0.');
    expect(refusal(release('1.x || >=3.0.0'), device('2.4.0'))).toMatch(/applies to devices running 1\.x \|\| >=3\.0\.0; this one runs 2\.4\.0\.$/);
  });

  test('a device running a pre-release counts by its SemVer order', () => {
    expect(refusal(release('>=1.2.0 <2.0.0'), device('1.3.0-rc.1'))).toBeUndefined();
    expect(refusal(release('>=1.2.0 <2.0.0'), device('1.2.0-rc.1'))).toMatch(/this one runs 1\.2\.0-rc\.1\.$/);
  });

  test('without a range a release applies to every version; a chip mismatch is named before the policy', () => {
    expect(refusal(release(), device('0.0.1'))).toBeUndefined();
    expect(refusal(release('>=1.2.0', 'ESP32-S3'), device('1.0.0'))).toMatch(/is built for ESP32-S3; the device is an ESP32/);
  });
});
