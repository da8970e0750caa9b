// Each benchmark prints its own tables for a person; through this module it also hands its rows to `npm run bench`
// (bench/run-all.ts), which sets every benchmark's rows side by side in bench/RESULTS.md. A row is one figure of
// this run, beside the same-run baseline it is set against and the target its ratio must meet. A reference row is
// another tool's figure, measured elsewhere, with its source.
// Rows are written to the JSON file named by BENCH_ROWS_FILE when the benchmark's process exits; without it, this
// module only collects.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';

/** A bound on a ratio (or, for a row without a baseline, on its value). */
export type Target = { atMost: number } | { atLeast: number };

export interface Figure {
  name: string;
  value: number;
  unit: string;
}

export interface ReportRow extends Figure {
  /** The same-run measurement the value is set against. */
  baseline?: Figure;
  /** The figure the target is about, e.g. baseline / value for a time, value / baseline for memory. */
  ratio?: number;
  /** How the ratio reads: "x baseline", "of curl's throughput", "limit / write". */
  ratioOf?: string;
  target?: Target;
  /** Whether the ratio (or the value) meets the target; set from them. */
  met?: boolean;
  /** The ratio (or the value) in each run or pass of this benchmark, for the spread. */
  runs?: number[];
  /** What a reader must know to read the row. */
  note?: string;
  /** Reference rows only: where another tool's figure comes from. */
  source?: string;
  /** Reference rows only: the name of this run's row it compares with. */
  beside?: string;
}

export interface BenchRows {
  bench: string;
  rows: ReportRow[];
}

/** The benchmark's name: BENCH_NAME, else its file's ("import" for bench/import.bench.ts). */
const bench = process.env.BENCH_NAME ?? basename(process.argv[1] ?? 'bench').replace(/\.bench\.[cm]?[jt]s$/, '');
const rows: ReportRow[] = [];
let writing = false;

export function meets(figure: number, target: Target): boolean {
  return 'atMost' in target ? figure <= target.atMost : figure >= target.atLeast;
}

function collect(row: ReportRow): void {
  rows.push(row);
  const file = process.env.BENCH_ROWS_FILE;
  if (!file || writing) return;
  writing = true;
  // Also on process.exit() and after a failure: rows measured before it still reach the report.
  process.on('exit', () => writeFileSync(file, `${JSON.stringify({ bench, rows } satisfies BenchRows, null, 2)}\n`));
}

/** A figure measured in this run. */
export function reportRow(row: Omit<ReportRow, 'met' | 'source' | 'beside'>): void {
  const figure = row.ratio ?? row.value;
  collect(row.target ? { ...row, met: meets(figure, row.target) } : row);
}

/** Another tool's figure, measured elsewhere: `source` says where and how. */
export function reportReference(row: Figure & { source: string; beside?: string }): void {
  collect(row);
}
