// Fuzzes readBundle with mutated real bundles of every format (test/fuzz/bundle-mutations.ts): each case must end
// in a specific BundleError or in releases that really are valid, within its time bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBundle, type Release } from '../../packages/bundle/src/index.ts';
import { bundleSeeds } from './bundle-seeds.ts';
import { buildInput, bundleCase } from './bundle-mutations.ts';
import { judgeError, judgeReleases } from './bundle-oracle.ts';
import { cases, FULL, SEED, Tally, within } from './fuzz-size.ts';

const CASES = cases(400, 20_000);
const BOUND_MS = 20_000;

describe('fuzzing packages/bundle', () => {
  it(`reads ${CASES} mutated bundles: a specific error or a valid release, never a crash or a hang`, async () => {
    const seeds = await bundleSeeds();
    const tally = new Tally('packages/bundle');
    const started = performance.now();
    const batch = 200;
    for (let done = 0; done < CASES; done += batch) {
      for (const c of fc.sample(bundleCase, { seed: SEED + done, numRuns: Math.min(batch, CASES - done) })) {
        let built;
        try {
          built = buildInput(seeds, c);
        } catch (err) {
          throw new Error(`the fuzz case could not be built: ${JSON.stringify(c).slice(0, 500)}`, { cause: err });
        }
        const outcome = await within(BOUND_MS, readBundle(built.input).then((releases) => ({ releases }), (error: unknown) => ({ error })));
        if (outcome === 'hang') {
          tally.fail('hang', `${built.label}: ${JSON.stringify(c).slice(0, 400)}`);
          continue;
        }
        if ('error' in outcome) {
          const verdict = judgeError(outcome.error);
          if (typeof verdict === 'string') tally.count(verdict);
          else tally.fail(verdict.finding, `${built.label}: ${verdict.detail}`);
          continue;
        }
        const wrong = await judgeReleases(outcome.releases as Release[], built);
        if (wrong) tally.fail('invalid-release-accepted', `${built.label}: ${wrong}`);
        else tally.count('accepted (valid)');
      }
    }
    process.stdout.write(tally.report((performance.now() - started) / 1000));
    expect(tally.failures).toEqual([]);
    expect(tally.total).toBe(CASES);
  }, FULL ? 3_600_000 : 120_000);
});
