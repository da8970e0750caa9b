// npm run fuzz: the fuzz targets at full size (20 000 cases each), with the same fixed seeds as the test suite.
import { spawnSync } from 'node:child_process';

const started = Date.now();
const run = spawnSync('npx', ['vitest', 'run', '--project', 'fuzz', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, FIELDFLASH_FUZZ: 'full' } });
console.log(`\nfuzz: ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
// A signal from outside ends vitest without its summary: say so, rather than leave a bare failure.
if (run.signal) console.log(`fuzz: vitest was ended by ${run.signal} before it finished`);
process.exit(run.status ?? 1);
