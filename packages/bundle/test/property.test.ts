// Properties over many generated inputs: spellings, offsets, versions, and corrupted zips.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BundleError, CHIP_FAMILIES, normaliseVersion, parseChipFamily, parseOffset, readBundle, type Release } from '../src/index.ts';
import { flip, nativeFiles, zipFiles, type BundleFile } from './helpers.ts';

const sha256 = async (bytes: Uint8Array) => Buffer.from(await crypto.subtle.digest('SHA-256', bytes as BufferSource)).toString('hex');

describe('chip family spellings', () => {
  it('reads any case and any separator between the parts of a family name', () => {
    const spelling = fc.constantFrom(...CHIP_FAMILIES).chain((family) =>
      fc
        .tuple(fc.array(fc.boolean(), { minLength: family.length, maxLength: family.length }), fc.constantFrom('', '-', '_', ' ', '--'), fc.constantFrom('', ' '))
        .map(([upper, sep, pad]) => {
          const cased = [...family].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('');
          return { family, text: `${pad}${cased.replace('-', sep)}${pad}` };
        }),
    );
    fc.assert(fc.property(spelling, ({ family, text }) => {
      expect(parseChipFamily(text)).toBe(family);
    }));
  });

  it('knows nothing that is not a family', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const family = parseChipFamily(s);
        if (family !== undefined) expect(s.toUpperCase().replace(/[\s_-]+/g, '')).toBe(family.replace('-', ''));
      }),
    );
  });
});

describe('offsets', () => {
  it('reads numbers, decimal text and hex text alike', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        expect(parseOffset(n)).toBe(n);
        expect(parseOffset(String(n))).toBe(n);
        expect(parseOffset(`0x${n.toString(16)}`)).toBe(n);
        expect(parseOffset(` 0X${n.toString(16).toUpperCase()} `)).toBe(n);
      }),
    );
  });

  it('refuses negatives, fractions, garbage and offsets beyond 32 bits', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 1e6, noInteger: true }), fc.integer({ min: 2 ** 32, max: 2 ** 50 })), (n) => {
      expect(parseOffset(n)).toBeUndefined();
    }));
    fc.assert(fc.property(fc.string(), (s) => {
      if (!/^\s*(0x[0-9a-f]+|[0-9]+)\s*$/i.test(s)) expect(parseOffset(s)).toBeUndefined();
    }));
  });
});

describe('versions', () => {
  it('keeps SemVer as it is and reports every change to anything else', () => {
    const n = fc.integer({ min: 0, max: 10_000 });
    fc.assert(fc.property(n, n, n, (a, b, c) => {
      expect(normaliseVersion(`${a}.${b}.${c}`, 'm')).toEqual({ version: `${a}.${b}.${c}` });
    }));
    fc.assert(
      fc.property(n, n, fc.constantFrom('', 'v', 'V'), (a, b, prefix) => {
        const result = normaliseVersion(`${prefix}${a}.${b}`, 'manifest.json');
        expect(result?.version).toBe(`${a}.${b}.0`);
        expect(result?.note?.message).toContain(`"${prefix}${a}.${b}"`);
      }),
    );
  });
});

describe('corrupted zips', () => {
  it('never yield a release with wrong bytes: either a BundleError, or files that match their digests and the originals', async () => {
    const originals: BundleFile[] = await nativeFiles();
    const byPath = new Map(originals.map((f) => [f.path, f.data]));
    const zips = await Promise.all((['DEFLATE', 'STORE'] as const).map(async (c) => new Uint8Array(await (await zipFiles(originals, c)).arrayBuffer())));
    const corruption = fc.record({
      which: fc.integer({ min: 0, max: 1 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(corruption, async ({ which, flips, cut }) => {
        const zip = zips[which]!.slice();
        for (const [at, xor] of flips) flip(zip, at % zip.length, xor);
        const damaged = cut === undefined ? zip : zip.subarray(0, cut % zip.length);
        let releases: Release[];
        try {
          releases = await readBundle({ name: 'damaged.zip', data: new Blob([damaged as BlobPart]) });
        } catch (err) {
          expect(err).toBeInstanceOf(BundleError);
          expect((err as BundleError).message.length).toBeGreaterThan(10);
          return;
        }
        for (const release of releases) {
          for (const file of release.files) {
            const bytes = new Uint8Array(await file.data.arrayBuffer());
            expect(await sha256(bytes)).toBe(file.sha256);
            const original = byPath.get(file.path);
            if (original) expect(Buffer.compare(bytes, original)).toBe(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
