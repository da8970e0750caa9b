// `npm run campaign`: the crash campaigns that make "never bricks" a measured claim. Each prints its runs, how many
// the device survived and how many were lost, with the seed; a lost run prints the line that replays it alone.
//   npm run campaign -- --runs-scale 0.1            a tenth of every campaign
//   npm run campaign -- --only cable-pulls --runs cable-pulls=20
//   npm run campaign -- --only agent-kills --seed 1234 --run 17   replays run 17 of that campaign
//   --verbose prints every run's fault and what happened, not only the lost ones.
// Exits 1 when any run was lost, 2 on a bad command line.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CAMPAIGNS } from './campaigns.ts';
import { type Campaign, type CampaignResult, runCampaign } from './lib/campaign.ts';
import { newSeed } from './lib/seeded-random.ts';
import { pageSide } from './page-side.ts';

const USAGE = `Usage: npm run campaign -- [--only NAME[,NAME]] [--runs-scale X] [--runs NAME=N]... [--seed N] [--run I] [--verbose]
  campaigns: ${CAMPAIGNS.map((c) => `${c.name} (${c.fullRuns} runs)`).join(', ')}`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'runs-scale': { type: 'string' },
    runs: { type: 'string', multiple: true },
    seed: { type: 'string' },
    run: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const byName = (name: string): Campaign => CAMPAIGNS.find((c) => c.name === name) ?? fail(`There is no campaign called "${name}".`);
const chosen = values.only ? values.only.split(',').map((n) => byName(n.trim())) : CAMPAIGNS;
const scale = values['runs-scale'] === undefined ? 1 : Number(values['runs-scale']);
if (!(scale > 0)) fail(`--runs-scale must be a number above 0, not "${values['runs-scale']}".`);
const counts = new Map<string, number>();
for (const entry of values.runs ?? []) {
  const [name, n] = entry.split('=');
  const count = Number(n);
  if (!Number.isInteger(count) || count < 1) fail(`--runs ${entry}: give NAME=N with N a whole number of runs, at least 1.`);
  counts.set(byName(name!).name, count);
}
const seed = values.seed === undefined ? newSeed() : Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) fail(`--seed must be a whole number, not "${values.seed}".`);
const replay = values.run === undefined ? undefined : Number(values.run);
if (replay !== undefined && (!Number.isInteger(replay) || replay < 0)) fail(`--run must be a run index (0 or more), not "${values.run}".`);
if (replay !== undefined && (values.seed === undefined || chosen.length !== 1)) fail('--run replays one run: give it with --only NAME and the --seed that campaign printed.');

const results: CampaignResult[] = [];
const failedToStart: string[] = [];
console.log(`Crash campaigns, seed ${seed}.`);
if (chosen.includes(pageSide) && process.env.FIELDFLASH_SKIP_BUILD !== '1') {
  // The page side runs against what ships: the production build, as the end-to-end tests do.
  console.log('Building the app for the page-side campaign (FIELDFLASH_SKIP_BUILD=1 uses the dist/ there is).');
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}
for (const campaign of chosen) {
  const runs = counts.get(campaign.name) ?? Math.max(1, Math.round(campaign.fullRuns * scale));
  const indexes = replay === undefined ? [...Array(runs).keys()] : [replay];
  console.log(`\n=== ${campaign.name}: ${campaign.what}\n  ${indexes.length} run${indexes.length === 1 ? '' : 's'}, seed ${seed}`);
  let result: CampaignResult;
  try {
    const progress = (r: Readonly<CampaignResult>) => {
      if (r.runs % 25 === 0 && r.runs < indexes.length) console.log(`  ${r.runs} of ${indexes.length} runs, ${r.lost.length} lost so far`);
    };
    result = await runCampaign(campaign, { seed, indexes, log: (line) => console.log(line), verbose: values.verbose, onRun: progress });
  } catch (error) {
    // Its fixtures could not be made ready (a device that would not start, no Chromium): no run counted, a failure.
    console.log(`  ${campaign.name} could not start: ${error instanceof Error ? error.message : String(error)}`);
    failedToStart.push(campaign.name);
    continue;
  }
  results.push(result);
  console.log(summary(result));
  for (const lost of result.lost) {
    console.log(`  replay: npm run campaign -- --only ${campaign.name} --seed ${seed} --run ${lost.index}   (fault ${lost.point})`);
  }
}

function summary(r: CampaignResult): string {
  const points = [...r.points].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `    ${n} × ${kind}`);
  return [`  ${r.name}: ${r.runs} runs, ${r.survived} survived, ${r.lost.length} lost (seed ${r.seed}, ${r.seconds.toFixed(1)} s)${r.missed ? `; ${r.missed} faults not reached, the work ended first` : ''}; faults:`, ...points].join('\n');
}

console.log('\nSummary:');
for (const r of results) console.log(summary(r));
for (const name of failedToStart) console.log(`  ${name}: could not start, no runs`);
process.exit(failedToStart.length > 0 || results.some((r) => r.lost.length > 0) ? 1 : 0);
