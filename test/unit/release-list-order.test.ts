// The library list's order and filter, on the 50-release shelf read by the real bundle reader.
import { beforeAll, describe, expect, test } from 'vitest';
import { readBundle } from '../../packages/bundle/src/index.ts';
import type { ReleaseSummary } from '../../src/store/index.ts';
import { chipFamilyCounts, filterReleases, NO_FILTER } from '../../src/library/release-filter.ts';
import { DEFAULT_ORDER, sortReleases } from '../../src/library/release-order.ts';
import { shelfReleases } from '../e2e/shelf.support.ts';

let library: ReleaseSummary[];
const names = (list: readonly ReleaseSummary[]) => list.map((r) => `${r.product} ${r.version}`);

beforeAll(async () => {
  const shelf = await shelfReleases();
  // Added one minute apart, in the shelf's order, as the store would date them.
  library = await Promise.all(
    shelf.map(async (r, i) => {
      const [release] = await readBundle({ name: r.zipName, data: new Blob([new Uint8Array(r.zip)]) });
      const { files, ...rest } = release!;
      return {
        ...rest,
        files: files.map(({ data: _bytes, ...info }) => info),
        addedAt: Date.UTC(2025, 0, 1) + i * 60_000,
        totalSize: files.reduce((n, f) => n + f.size, 0),
      };
    }),
  );
});

describe('the default order', () => {
  test('keeps each product together, A to Z, its newest SemVer first', () => {
    const sorted = names(sortReleases(library, DEFAULT_ORDER));
    const pump = sorted.filter((n) => n.startsWith('Pump Controller '));
    expect(pump).toEqual([
      'Pump Controller 2.0.0', 'Pump Controller 2.0.0-rc.1', 'Pump Controller 1.11.0', 'Pump Controller 1.10.1',
      'Pump Controller 1.10.0', 'Pump Controller 1.9.0', 'Pump Controller 1.8.1', 'Pump Controller 1.8.0', 'Pump Controller 1.7.0',
    ]);
    const products = sorted.map((n) => n.replace(/ \S+$/, ''));
    expect([...new Set(products)]).toEqual(['Cold Room Sensor', 'Gate Opener', 'LoRa Gateway', 'Meter Reader', 'Pump Controller', 'Valve Node']);
    // Together: each product's rows form one run.
    expect(products.filter((p, i) => p !== products[i - 1])).toHaveLength(6);
  });

  test('descending by product flips the products, not the versions within one', () => {
    const sorted = names(sortReleases(library, { column: 'product', direction: 'descending' }));
    expect(sorted.slice(0, 2)).toEqual(['Valve Node 0.8.0', 'Valve Node 0.7.0']);
  });

  test('a version that is not SemVer (a bare git hash) sorts below the SemVer ones of its product', () => {
    const hash = { ...library.find((r) => r.product === 'Valve Node')!, id: 'git-hash-build', version: 'g3c9e1f2' };
    const sorted = names(sortReleases([...library, hash], DEFAULT_ORDER)).filter((n) => n.startsWith('Valve Node '));
    expect(sorted.at(-1)).toBe('Valve Node g3c9e1f2');
    const byVersion = names(sortReleases([...library, hash], { column: 'version', direction: 'descending' }));
    expect(byVersion.at(-1)).toBe('Valve Node g3c9e1f2');
  });

  test('by date added, the last added first; does not change the library it was given', () => {
    const before = names(library);
    const sorted = sortReleases(library, { column: 'added', direction: 'descending' });
    expect(names(sorted)).toEqual([...before].reverse());
    expect(names(library)).toEqual(before);
  });
});

describe('the filter', () => {
  test('with nothing typed or chosen, shows everything', () => {
    expect(filterReleases(library, NO_FILTER)).toHaveLength(50);
  });

  test('every word must match, in any case, in any field: product, board, version', () => {
    expect(names(filterReleases(library, { text: 'VALVE 0.7', chipFamily: '' }))).toEqual(['Valve Node 0.7.0']);
    expect(filterReleases(library, { text: 'lgw-classic', chipFamily: '' })).toHaveLength(8);
    expect(filterReleases(library, { text: 'coldroom-s3 lgw', chipFamily: '' })).toHaveLength(0);
    // The file it came from, and the project name read from the app image.
    expect(names(filterReleases(library, { text: 'gate-opener-1.4.0.zip', chipFamily: '' }))).toEqual(['Gate Opener 1.4.0']);
    expect(filterReleases(library, { text: 'meter-reader', chipFamily: '' })).toHaveLength(8);
  });

  test('a chip family keeps the releases with a build for it, alone or beside others', () => {
    const esp32 = filterReleases(library, { text: '', chipFamily: 'ESP32' });
    expect(new Set(esp32.map((r) => r.product))).toEqual(new Set(['Pump Controller', 'LoRa Gateway']));
    expect(esp32).toHaveLength(17);
  });

  test('counts the releases per chip family for the chip family choice', () => {
    expect(chipFamilyCounts(library)).toEqual([
      { chipFamily: 'ESP32', count: 17 },
      { chipFamily: 'ESP32-C3', count: 9 },
      { chipFamily: 'ESP32-C6', count: 8 },
      { chipFamily: 'ESP32-S2', count: 8 },
      { chipFamily: 'ESP32-S3', count: 16 },
    ]);
  });
});
