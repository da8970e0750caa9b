// The benchmark report: rows a benchmark hands over (written as JSON when its process exits) and bench/RESULTS.md
// made from them, with each figure beside its baseline, its target and verdict, the spread, and other tools' figures.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { meets, type ReportRow } from '../../bench/lib/report-rows.ts';
import { mergePasses, mergeRows } from '../../bench/lib/merge-passes.ts';
import { resultsMarkdown, rowsOf, type BenchRun } from '../../bench/lib/results-markdown.ts';

const dir = mkdtempSync(join(tmpdir(), 'fieldflash-bench-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const machine = { cpu: 'AMD EPYC', cores: 2, memoryBytes: 8 * 1024 ** 3, os: 'Debian 12, Linux 6.1', node: 'v20.19.0', chromium: 'Chromium 156.0', loadAverage: { start: 0.5, end: 1.5 } };

function benchRun(name: string, rows: ReportRow[], exitCode = 0): BenchRun {
  return { name, what: `the ${name} benchmark`, exitCode, seconds: 90, output: `${name} output\n`, rows };
}

describe('benchmark rows', () => {
  it('a target is met at its bound and missed beyond it', () => {
    expect(meets(2, { atMost: 2 })).toBe(true);
    expect(meets(2.001, { atMost: 2 })).toBe(false);
    expect(meets(0.95, { atLeast: 0.95 })).toBe(true);
    expect(meets(0.949, { atLeast: 0.95 })).toBe(false);
  });

  it('a benchmark writes its rows, verdicts set, to BENCH_ROWS_FILE when its process exits, even through process.exit()', () => {
    const script = join(dir, 'tiny.bench.ts');
    const file = join(dir, 'rows.json');
    const module = resolve('bench/lib/report-rows.ts');
    writeFileSync(
      script,
      `import { reportReference, reportRow } from ${JSON.stringify(module)};\n` +
        `reportRow({ name: 'write', value: 9.1, unit: 's', baseline: { name: 'flash limit', value: 8.1, unit: 's' }, ratio: 8.1 / 9.1, target: { atLeast: 0.95 } });\n` +
        `reportRow({ name: 'size', value: 24, unit: 'kB', target: { atMost: 25 } });\n` +
        `reportReference({ name: 'other tool', value: 8.7, unit: 's', source: 'measured elsewhere', beside: 'write' });\n` +
        'process.exit(0);\n',
    );
    execFileSync(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, BENCH_ROWS_FILE: file } });
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.bench).toBe('tiny');
    expect(written.rows.map((r: ReportRow) => [r.name, r.met])).toEqual([['write', false], ['size', true], ['other tool', undefined]]);
    expect(rowsOf(readFileSync(file, 'utf8'))).toHaveLength(3);
  });
});

describe('bench/RESULTS.md', () => {
  const flash: ReportRow[] = [
    { name: 'full write at 921600 baud', value: 12.66, unit: 's', baseline: { name: 'wire limit', value: 11.4, unit: 's' }, ratio: 0.9006, ratioOf: 'limit / write', target: { atLeast: 0.95 }, met: false, runs: [0.89, 0.9006, 0.91] },
    { name: 'full write at 115200 baud', value: 182.1, unit: 's', baseline: { name: 'wire limit', value: 181.9, unit: 's' }, ratio: 0.999, ratioOf: 'limit / write' },
    { name: 'esptool v5.3.1 write-flash at 921600 baud', value: 12.8, unit: 's', source: 'esptool against the same emulator', beside: 'full write at 921600 baud' },
  ];
  const load: ReportRow[] = [{ name: 'first load | gzipped', value: 24.38, unit: 'kB', target: { atMost: 25 }, met: true }];
  const md = resultsMarkdown({ startedAt: new Date('2026-12-02T12:00:00Z'), commit: 'abc1234', machine, runs: [benchRun('first-load', load), benchRun('flash', flash, 1)] });
  const line = (start: string) => md.split('\n').find((l) => l.startsWith(start)) ?? '';

  it('names the machine: CPU, cores, memory, Node and Chromium', () => {
    expect(md).toContain('| CPU | AMD EPYC, 2 cores |');
    expect(md).toContain('| Memory | 8.0 GiB |');
    expect(md).toContain('| Node | v20.19.0 |');
    expect(md).toContain('| Chromium | Chromium 156.0 |');
  });

  it('sets each figure beside its same-run baseline, its ratio to three decimals, its target, spread and verdict', () => {
    expect(line('| flash | full write at 921600 baud |')).toBe(
      '| flash | full write at 921600 baud | 12.66 s | wire limit: 11.4 s | 0.901 limit / write | ≥ 0.95 | 0.890 – 0.910 (3 runs) | **MISSED** |',
    );
    expect(line('| first-load |')).toBe('| first-load | first load \\| gzipped | 24.38 kB |  |  | ≤ 25 kB |  | met |');
    expect(md).toContain('1 of 2 targets met, 1 missed; flash did not finish (exit code 1)');
  });

  it('lists figures without a target apart, and other tools with their source beside this run', () => {
    const others = md.slice(md.indexOf('## Other figures'), md.indexOf('## Other tools'));
    expect(others).toContain('| flash | full write at 115200 baud | 182.1 s |');
    expect(line('| esptool v5.3.1')).toBe('| esptool v5.3.1 write-flash at 921600 baud | 12.8 s | 12.66 s (full write at 921600 baud) | esptool against the same emulator |');
  });

  it('says when other work ran on the machine meanwhile, and not when it was quiet', () => {
    expect(md).not.toContain('The machine was shared');
    const busy = resultsMarkdown({ startedAt: new Date(), commit: 'abc1234', machine: { ...machine, loadAverage: { start: 11.4, end: 14.6 } }, runs: [] });
    expect(busy).toContain('its load average (11.4 at the start, 14.6 at the end) was above its 2 cores');
  });

  it("keeps each benchmark's own output", () => {
    expect(md).toContain('<details><summary>flash: its own output</summary>');
    expect(md).toContain('```text\nflash output\n```');
  });
});

describe('benchmarks run several times over (--runs)', () => {
  const write = (ratio: number, runs?: number[]): ReportRow => ({
    name: 'full write', value: 11.4 / ratio, unit: 's', baseline: { name: 'wire limit', value: 11.4, unit: 's' }, ratio, target: { atLeast: 0.95 }, met: ratio >= 0.95, ...(runs ? { runs } : {}),
  });

  it('each figure is its median pass, the spread covers every pass and every trial within one', () => {
    const merged = mergeRows([[write(0.97)], [write(0.93, [0.92, 0.93, 0.94])], [write(0.99)]]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ ratio: 0.97, met: true, runs: [0.97, 0.92, 0.93, 0.94, 0.99] });
  });

  it('the report says how many passes ran and shows the merged spread; other tools\' figures are kept once', () => {
    const reference: ReportRow = { name: 'esptool', value: 12.8, unit: 's', source: 'measured elsewhere' };
    const passes = [0.97, 0.96, 0.99].map((r) => benchRun('flash', [write(r), reference]));
    const run = mergePasses(passes);
    expect(run.rows.filter((r) => r.source)).toHaveLength(1);
    expect(run.seconds).toBe(270);
    expect(run.output).toContain('--- pass 3 of 3 ---');
    const md = resultsMarkdown({ startedAt: new Date('2026-12-02T12:00:00Z'), commit: 'abc1234', machine, runs: [run], passes: 3 });
    expect(md).toContain('`npm run bench -- --runs 3`');
    expect(md).toContain('| flash | full write | 11.75 s | wire limit: 11.4 s | 0.970 | ≥ 0.95 | 0.960 – 0.990 (3 runs) | met |');
  });
});
