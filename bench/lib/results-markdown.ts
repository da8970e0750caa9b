// bench/RESULTS.md from one `npm run bench`: the machine, every benchmark's rows (figure, same-run baseline, ratio,
// target, spread over its runs, verdict), other tools' reference figures with their source, and each benchmark's
// own output.
import type { BenchRows, ReportRow, Target } from './report-rows.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  chromium: string;
  /** One-minute load average when the run started and when it ended: the machine is shared. */
  loadAverage: { start: number; end: number };
}

export interface BenchRun {
  name: string;
  /** What it measures, in a line. */
  what: string;
  exitCode: number;
  seconds: number;
  output: string;
  rows: ReportRow[];
}

export interface Results {
  startedAt: Date;
  commit: string;
  machine: Machine;
  runs: BenchRun[];
  /** How many times over every benchmark ran (`--runs`); 1 when absent. */
  passes?: number;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Four significant digits, without trailing zeros: 12.66, 0.4123, 2049. */
function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(0) : String(Number(value.toPrecision(4)));
}

const figure = (value: number, unit: string) => `${number(value)} ${unit}`;
// Three decimals, so 0.948 never shows as 0.95.
const ratioText = (ratio: number) => ratio.toFixed(3);
/** A target on a ratio reads as a bare number; one on a value (no baseline) carries the value's unit. */
const targetText = (t: Target, unit = '') => `${'atMost' in t ? `≤ ${t.atMost}` : `≥ ${t.atLeast}`}${unit ? ` ${unit}` : ''}`;

function spread(row: ReportRow): string {
  if (!row.runs || row.runs.length < 2) return '';
  return `${ratioText(Math.min(...row.runs))} – ${ratioText(Math.max(...row.runs))} (${row.runs.length} runs)`;
}

function goalLine(bench: string, row: ReportRow): string {
  const ratio = row.ratio === undefined ? '' : `${ratioText(row.ratio)} ${row.ratioOf ?? ''}`.trim();
  const verdict = row.met === undefined ? '' : row.met ? 'met' : '**MISSED**';
  const name = row.note ? `${row.name} (${row.note})` : row.name;
  return `| ${[bench, name, figure(row.value, row.unit), row.baseline ? `${row.baseline.name}: ${figure(row.baseline.value, row.baseline.unit)}` : '', ratio, row.target ? targetText(row.target, row.ratio === undefined ? row.unit : '') : '', spread(row), verdict].map(cell).join(' | ')} |`;
}

function machineTable(m: Machine): string[] {
  const gib = (m.memoryBytes / 1024 ** 3).toFixed(1);
  return [
    '| | |',
    '|---|---|',
    `| CPU | ${cell(m.cpu)}, ${m.cores} cores |`,
    `| Memory | ${gib} GiB |`,
    `| OS | ${cell(m.os)} |`,
    `| Node | ${m.node} |`,
    `| Chromium | ${cell(m.chromium)} |`,
    `| Load average (1 min), start / end | ${m.loadAverage.start.toFixed(2)} / ${m.loadAverage.end.toFixed(2)} |`,
  ];
}

/** A sentence when other work ran on the machine meanwhile: its figures then move more from run to run. */
function busyMachine(m: Machine): string[] {
  const { start, end } = m.loadAverage;
  if (Math.max(start, end) <= m.cores) return [];
  return [
    `The machine was shared: its load average (${start.toFixed(1)} at the start, ${end.toFixed(1)} at the end) was above its ` +
      `${m.cores} cores, so other work ran during these benchmarks; the spread over runs shows how far the figures moved.`,
    '',
  ];
}

export function resultsMarkdown(results: Results): string {
  const measured = results.runs.flatMap((run) => run.rows.filter((r) => r.source === undefined).map((row) => ({ bench: run.name, row })));
  const references = results.runs.flatMap((run) => run.rows.filter((r) => r.source !== undefined));
  const withTarget = measured.filter((m) => m.row.target);
  const others = measured.filter((m) => !m.row.target);
  const rowHead = ['| benchmark | figure | this run | baseline, same run | ratio | target | spread over runs | verdict |', '|---|---|---|---|---|---|---|---|'];
  const missed = withTarget.filter((m) => m.row.met === false).length;
  const failed = results.runs.filter((r) => r.exitCode !== 0);
  const passes = results.passes ?? 1;
  const passText =
    passes > 1
      ? `Every benchmark ran ${passes} times over, in turn (\`--runs ${passes}\`): each figure is from the pass whose ratio was the median, and the spread covers every pass. `
      : '';

  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${passes > 1 ? ` -- --runs ${passes}` : ''}\` on ${results.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${results.commit}. ` +
      passText +
      'Each ratio is set against a baseline measured in the same run on the same machine; a benchmark that repeats its ' +
      'trials reports medians, and the spread is the lowest and highest ratio over its runs.',
    '',
    `${withTarget.length - missed} of ${withTarget.length} targets met${missed ? `, ${missed} missed` : ''}` +
      `${failed.length ? `; ${failed.map((r) => r.name).join(', ')} did not finish (exit code ${failed.map((r) => r.exitCode).join(', ')}), its rows are those measured before` : ''}.`,
    '',
    ...busyMachine(results.machine),
    '## Machine',
    '',
    ...machineTable(results.machine),
    '',
    '## Targets',
    '',
    ...rowHead,
    ...withTarget.map((m) => goalLine(m.bench, m.row)),
    '',
  ];
  if (others.length) lines.push('## Other figures of the same runs', '', ...rowHead, ...others.map((m) => goalLine(m.bench, m.row)), '');
  if (references.length) {
    const byName = new Map(measured.map((m) => [m.row.name, m.row]));
    lines.push(
      '## Other tools, for reference',
      '',
      'Figures FieldFlash is compared with but that this run did not measure.',
      '',
      '| other tool | figure | FieldFlash in this run | source |',
      '|---|---|---|---|',
      ...references.map((r) => {
        const ours = r.beside ? byName.get(r.beside) : undefined;
        return `| ${[r.name, figure(r.value, r.unit), ours ? `${figure(ours.value, ours.unit)} (${ours.name})` : '', r.source ?? ''].map(cell).join(' | ')} |`;
      }),
      '',
    );
  }
  lines.push(
    '## Runs',
    '',
    '| benchmark | what it measures | took | exit code |',
    '|---|---|---|---|',
    ...results.runs.map((r) => `| ${r.name} | ${cell(r.what)} | ${(r.seconds / 60).toFixed(1)} min | ${r.exitCode} |`),
    '',
  );
  for (const run of results.runs) {
    lines.push(`<details><summary>${run.name}: its own output</summary>`, '', '```text', run.output.trimEnd().replace(/```/g, "'''"), '```', '', '</details>', '');
  }
  return lines.join('\n');
}

/** Rows a benchmark wrote, or none when it wrote no file (it failed before its first row). */
export function rowsOf(json: string | undefined): ReportRow[] {
  if (json === undefined) return [];
  const parsed = JSON.parse(json) as BenchRows;
  if (!Array.isArray(parsed.rows)) throw new Error(`a rows file without rows: ${json.slice(0, 80)}`);
  return parsed.rows;
}
