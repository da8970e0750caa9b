// First-load benchmark: the JavaScript the Library view waits for before its first paint, in the production build
// (the scripts of index.html and their static imports, gzipped as served), against its budget. The same measure as
// test/e2e/first-load-budget.test.ts; here it becomes a row of bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeFirstLoad, FIRST_LOAD_BUDGET_BYTES, measureFirstLoad } from '../scripts/first-load.ts';
import { reportRow } from './lib/report-rows.ts';

if (process.env.FIELDFLASH_SKIP_BUILD !== '1' || !existsSync('dist/index.html')) {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}
const load = await measureFirstLoad('dist');
console.log(describeFirstLoad(load));
reportRow({
  name: 'JavaScript before the first paint of the Library view, gzipped',
  value: load.gzipBytes / 1000,
  unit: 'kB',
  target: { atMost: FIRST_LOAD_BUDGET_BYTES / 1000 },
  note: `${load.files.length} files, ${(load.bytes / 1000).toFixed(1)} kB before compression`,
});
