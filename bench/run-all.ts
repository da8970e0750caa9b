// `npm run bench`: builds the app once, runs every benchmark one after another (each repeats its own trials), and
// writes bench/RESULTS.md: the machine, each ratio beside its same-run baseline and its target, other tools'
// reference figures with their source, and each benchmark's own output. `npm run bench -- flash lan` runs only
// those; `--runs 3` runs them all three times over, in turn, and reports each figure's median pass and the spread
// over every pass. The machine has two cores: nothing else should run meanwhile.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM } from '../test/e2e/browser.ts';
import { mergePasses } from './lib/merge-passes.ts';
import { resultsMarkdown, rowsOf, type BenchRun, type Machine } from './lib/results-markdown.ts';

const BENCHES = [
  { name: 'first-load', script: 'bench/first-load.bench.ts', what: 'JavaScript before the Library view first paints, gzipped, from the production build' },
  { name: 'import', script: 'bench/import.bench.ts', what: 'a 32 MiB bundle imported in Chromium against unzip -t + sha256sum; 50 small releases one after another' },
  { name: 'library-list', script: 'bench/library-list.bench.ts', what: 'the library list of 50 releases, render to painted frame, against the same list holding one' },
  { name: 'flash', script: 'bench/flash.bench.ts', what: 'a 2 MiB app written into the emulated ESP32 against the wire and flash limits; the fast re-flash' },
  { name: 'micropython-verify', script: 'bench/micropython-verify.bench.ts', what: 'one release signature verified in pure Python inside the MicroPython interpreter, against Node WebCrypto' },
  { name: 'lan', script: 'bench/lan.bench.ts', what: 'a 16 MiB image to agents on loopback against curl, from Node and from Chromium; memory; many agents at once' },
];

const ROWS_DIR = resolve('.bench/rows');
const REPORT = 'bench/RESULTS.md';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const passes = runsAt === -1 ? 1 : Number(args[runsAt + 1]);
if (!Number.isInteger(passes) || passes < 1 || passes > 20) {
  console.error('--runs takes a whole number of passes from 1 to 20, e.g. `npm run bench -- --runs 3`.');
  process.exit(2);
}
const asked = runsAt === -1 ? args : args.filter((_, i) => i !== runsAt && i !== runsAt + 1);
const unknown = asked.filter((name) => !BENCHES.some((b) => b.name === name));
if (unknown.length) {
  console.error(`No benchmark called ${unknown.join(', ')}. There are: ${BENCHES.map((b) => b.name).join(', ')}.`);
  process.exit(2);
}
const chosen = asked.length ? BENCHES.filter((b) => asked.includes(b.name)) : BENCHES;

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

function machine(): Machine {
  const debian = existsSync('/etc/debian_version') ? `Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}, ` : '';
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    os: `${debian}Linux ${release()}`,
    node: process.version,
    chromium: firstLine(CHROMIUM, ['--version']).replace(/ built on .*/, ''),
    loadAverage: { start: loadavg()[0] ?? 0, end: 0 },
  };
}

/** Runs one benchmark, its output shown as it comes and kept for the report. */
function run(script: string, env: NodeJS.ProcessEnv): Promise<{ exitCode: number; output: string }> {
  return new Promise((done) => {
    const child = spawn('npx', ['tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
      to.write(chunk);
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('close', (code, signal) => done({ exitCode: code ?? (signal ? 128 : 1), output: output.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}

const startedAt = new Date();
const commit = firstLine('git', ['describe', '--always', '--dirty']);
const host = machine();
// One production build for all: the first-load and import benchmarks read the same dist/.
execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
rmSync(ROWS_DIR, { recursive: true, force: true });
mkdirSync(ROWS_DIR, { recursive: true });

const passesOf = new Map<string, BenchRun[]>(chosen.map((b) => [b.name, []]));
for (let pass = 1; pass <= passes; pass++) {
  for (const bench of chosen) {
    const rowsFile = join(ROWS_DIR, `${bench.name}-${pass}.json`);
    console.log(`\n=== ${bench.name}${passes > 1 ? ` (pass ${pass} of ${passes})` : ''}: ${bench.what}\n`);
    const started = performance.now();
    const { exitCode, output } = await run(bench.script, { ...process.env, BENCH_NAME: bench.name, BENCH_ROWS_FILE: rowsFile, FIELDFLASH_SKIP_BUILD: '1' });
    const rows = rowsOf(existsSync(rowsFile) ? readFileSync(rowsFile, 'utf8') : undefined);
    passesOf.get(bench.name)!.push({ name: bench.name, what: bench.what, exitCode, seconds: (performance.now() - started) / 1000, output, rows });
  }
}
const runs = chosen.map((b) => mergePasses(passesOf.get(b.name)!));

host.loadAverage.end = loadavg()[0] ?? 0;
writeFileSync(REPORT, resultsMarkdown({ startedAt, commit, machine: host, runs, passes }));
const missed = runs.flatMap((r) => r.rows.filter((row) => row.met === false).map((row) => `${r.name}: ${row.name}`));
console.log(`\nWrote ${REPORT}.${missed.length ? ` Targets missed: ${missed.join('; ')}.` : ' Every target met.'}`);
// A missed target is a finding the report states; a benchmark that did not finish is a failure of the run.
process.exit(runs.some((r) => r.exitCode !== 0) ? 1 : 0);
