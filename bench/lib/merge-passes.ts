// `npm run bench -- --runs 3` runs every benchmark three times over. One pass is one run of a benchmark; its rows are
// merged here into the rows of the report: each figure is the pass whose ratio (or value) is the median, the spread
// covers every pass (and every trial within a pass that repeats its own), and the verdict is the median's.
import type { BenchRun } from './results-markdown.ts';
import type { ReportRow } from './report-rows.ts';

const figureOf = (row: ReportRow) => row.ratio ?? row.value;

function medianRow(rows: ReportRow[]): ReportRow {
  const sorted = [...rows].sort((a, b) => figureOf(a) - figureOf(b));
  // With an even count, the lower middle: a figure that was measured, not an average no run produced.
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function mergeRows(passes: ReportRow[][]): ReportRow[] {
  const byName = new Map<string, ReportRow[]>();
  for (const rows of passes) {
    for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
  }
  return [...byName.values()].map((rows) => {
    // Another tool's figure is the same in every pass.
    if (rows[0]!.source !== undefined) return rows[0]!;
    const median = medianRow(rows);
    if (rows.length < 2) return median;
    return { ...median, runs: rows.flatMap((r) => r.runs ?? [figureOf(r)]) };
  });
}

/** One benchmark's passes as one run of the report: every pass's output kept, its time summed, any failure shown. */
export function mergePasses(passes: BenchRun[]): BenchRun {
  const first = passes[0]!;
  if (passes.length === 1) return first;
  return {
    name: first.name,
    what: first.what,
    exitCode: passes.find((p) => p.exitCode !== 0)?.exitCode ?? 0,
    seconds: passes.reduce((sum, p) => sum + p.seconds, 0),
    output: passes.map((p, i) => `--- pass ${i + 1} of ${passes.length} ---\n${p.output.trimEnd()}\n`).join('\n'),
    rows: mergeRows(passes.map((p) => p.rows)),
  };
}
