// Versions that are not SemVer, and the one order of releases that the library and the Flash view use.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appBuildTime, compareReleasesNewestFirst, normaliseVersion, readBundle, writeAppImage, type OrderedRelease } from '../src/index.ts';

const BUILT = '2025-03-01T10:00:00';

describe('reading versions', () => {
  it('keeps a bare git hash as written and orders it by build time, never as a made-up major version', () => {
    for (const hash of ['f4076f9-dirty', 'f4076f9', '4076f9a', 'abc1234-dirty']) {
      const read = normaliseVersion(hash, 'the app description in app.bin', BUILT)!;
      expect(read.version).toBe(hash);
      expect(read.order).toBe('build-time');
      expect(read.note!.message).toBe(`the app description in app.bin gives the version as "${hash}": not a SemVer version; ordered by build time. FieldFlash keeps it as written and orders it by its build time, 2025-03-01 10:00:00.`);
    }
    expect(normaliseVersion('f4076f9-dirty', 'm')!.note!.message).toContain('which is not known, so it is listed after releases that have one');
  });

  it('keeps the SemVer reading of git describe output, "0.100" and other honest numbers', () => {
    expect(normaliseVersion('v0.8-7-g333c02c-dirty', 'm')).toMatchObject({ version: '0.8.0-7-g333c02c-dirty', note: { level: 'warning' } });
    expect(normaliseVersion('v0.8-7-g333c02c-dirty', 'm')!.order).toBeUndefined();
    expect(normaliseVersion('0.100', 'm')!.version).toBe('0.100.0');
    expect(normaliseVersion('Release 1.2', 'm')!.version).toBe('1.2.0');
    expect(normaliseVersion('v3.2.1', 'm')!.version).toBe('3.2.1');
    expect(normaliseVersion('2.0.0-rc.1', 'm')).toEqual({ version: '2.0.0-rc.1' });
    // A number that is part of a word is no version number: "ESP32" is not version 32.
    expect(normaliseVersion('ESP32 nightly', 'm', BUILT)).toMatchObject({ version: 'ESP32 nightly', order: 'build-time' });
    expect(normaliseVersion('  ', 'm')).toBeUndefined();
  });

  it('reads the build time ESP-IDF writes into the app description', () => {
    expect(appBuildTime({ date: 'Sep  9 2023', time: '15:48:10' })).toBe('2023-09-09T15:48:10');
    expect(appBuildTime({ date: 'Dec 31 2024', time: '23:59:59' })).toBe('2024-12-31T23:59:59');
    expect(appBuildTime({ date: '', time: '' })).toBeUndefined();
    expect(appBuildTime({ date: 'Foo  9 2023', time: '15:48:10' })).toBeUndefined();
    expect(appBuildTime({ date: 'Sep  9 2023', time: '25:00:00' })).toBeUndefined();
  });

  it('gives an imported git-hash build its declared version, the build-time order and the build time', async () => {
    const image = await writeAppImage({ chipFamily: 'ESP32-C3', projectName: 'meter', version: 'f4076f9-dirty', date: 'Mar  1 2025', time: '10:00:00' });
    const [release] = await readBundle({ name: 'meter.bin', data: new Blob([image as BlobPart]) });
    expect(release).toMatchObject({ version: 'f4076f9-dirty', declaredVersion: 'f4076f9-dirty', versionOrder: 'build-time', builtAt: BUILT });
    expect(release!.notes.map((n) => n.message).join('\n')).toContain('not a SemVer version; ordered by build time');
  });
});

const r = (id: string, version: string, builtAt?: string, product = 'meter'): OrderedRelease => ({
  id, product, version, ...(builtAt ? { builtAt } : {}), ...(normaliseVersion(version, 'm')!.order ? { versionOrder: 'build-time' as const } : {}),
});

describe('compareReleasesNewestFirst', () => {
  it('orders SemVer releases by SemVer, then git-hash builds by build time, products by name', () => {
    const releases = [
      r('a', 'f4076f9-dirty', '2025-01-10T09:00:00'),
      r('b', '0.9.0', '2024-06-01T00:00:00'),
      r('c', 'a1b2c3d', '2025-03-01T10:00:00'),
      r('d', '1.0.0-rc.1', '2024-07-01T00:00:00'),
      r('e', '1.0.0', '2024-08-01T00:00:00'),
      r('f', 'deadbee'),
      r('g', '2.0.0', undefined, 'alpha'),
    ];
    expect(releases.sort(compareReleasesNewestFirst).map((x) => `${x.product} ${x.version}`)).toEqual([
      'alpha 2.0.0', 'meter 1.0.0', 'meter 1.0.0-rc.1', 'meter 0.9.0', 'meter a1b2c3d', 'meter f4076f9-dirty', 'meter deadbee',
    ]);
  });

  it('is a total order, so every list sorts the same way whatever order it came in', () => {
    const release = fc.record({
      id: fc.string({ minLength: 1, maxLength: 3 }),
      product: fc.constantFrom('alpha', 'meter'),
      version: fc.constantFrom('1.0.0', '1.0.0+b1', '0.9.0', '2.0.0-rc.1', 'f4076f9-dirty', 'a1b2c3d'),
      builtAt: fc.option(fc.constantFrom('2024-01-01T00:00:00', '2025-01-01T00:00:00'), { nil: undefined }),
    }).map((x) => ({ ...x, ...(/^[0-9]/.test(x.version) ? {} : { versionOrder: 'build-time' as const }) }));
    const sign = (n: number) => Math.sign(n);
    fc.assert(fc.property(release, release, release, (a, b, c) => {
      expect(sign(compareReleasesNewestFirst(a, b))).toBe(-sign(compareReleasesNewestFirst(b, a)) || 0);
      if (compareReleasesNewestFirst(a, b) <= 0 && compareReleasesNewestFirst(b, c) <= 0) expect(compareReleasesNewestFirst(a, c)).toBeLessThanOrEqual(0);
    }));
  });
});
