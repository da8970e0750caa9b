// The Library view paints once the JavaScript of the built index.html and its static imports has arrived: at most
// 25 kB of it, gzipped. Reads the production build the end-to-end setup made (dist/).
import { expect, it } from 'vitest';
import { describeFirstLoad, FIRST_LOAD_BUDGET_BYTES, measureFirstLoad } from '../../scripts/first-load.ts';

it('the first load of the Library view stays within its budget', async () => {
  const load = await measureFirstLoad('dist');
  const report = describeFirstLoad(load);
  console.log(report);
  expect(load.files.length).toBeGreaterThan(0);
  expect(load.gzipBytes, report).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
});
