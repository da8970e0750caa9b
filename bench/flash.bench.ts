// Flash benchmark: a ~2 MiB app written into the emulated ESP32 (wire time and flash time on) through FieldFlash's
// serial session and esptool-js, in Debian Chromium. Each write is set against the two limits measured in the same
// run: the ideal wire time of the bytes actually sent, and the time the emulated flash chip was busy erasing and
// programming (datasheet timings). The larger of the two binds. esptool's own figures on the same emulator are
// printed beside them, and a 4-change re-flash is timed with the release known and with the content unknown.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'vite';
import { startStaticServer } from '../scripts/static-server.mjs';
import { launchBrowser } from '../test/e2e/browser.ts';
import type { WriteFigures } from './flash/bench-page.ts';
import { ESPTOOL_SOURCE, ESPTOOL_WRITE_FLASH } from './lib/reference-figures.ts';
import { reportReference, reportRow } from './lib/report-rows.ts';

const OUT = '.bench/flash';
const APP = '../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/Application.bin';
/** FLASH_BENCH_BAUDS=921600,2000000 leaves out the 1.5-minute write at 115200. */
const BAUDS = (process.env.FLASH_BENCH_BAUDS ?? '115200,921600,2000000').split(',').map(Number);
/** FieldFlash's goal for a full write: this close to the binding limit, at every baud. */
const FULL_WRITE_GOAL = 0.95;
/** A fast re-flash of a few changes: within this many times the time its flash work takes. */
const REFLASH_GOAL = 3;

/**
 * Espressif's esptool v5.3.1 `write-flash` of the same file at 0x10000, run against this emulator in Node
 * (`npm run emulator -- --chip esp32 --tcp … --wire-time`, wire and flash time on) on the same 2-core machine.
 */
const ESPTOOL = {
  version: 'esptool v5.3.1 write-flash',
  source: ESPTOOL_SOURCE,
  seconds: new Map<number, number>(ESPTOOL_WRITE_FLASH.map((e) => [e.baud, e.seconds])),
};

const wireSeconds = (f: WriteFigures) => (f.toChipBytes * 10) / f.linkBaud;
const kib = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(0)} KiB`);
const s = (n: number) => `${n.toFixed(2)} s`;

interface Row {
  label: string;
  f: WriteFigures;
}

function limits(f: WriteFigures) {
  const wire = wireSeconds(f);
  const flash = f.flashBusySeconds;
  const binds = flash > wire ? 'flash' : 'wire';
  return { wire, flash, binds, ratio: Math.max(wire, flash) / f.writeSeconds };
}

function table(rows: Row[]): string {
  const head = ['', 'write', 'wire limit', 'flash limit', 'binds', 'limit / write', 'sent', 'erased', 'programmed', 'bytes'];
  const body = rows.map(({ label, f }) => {
    const l = limits(f);
    return [
      label,
      s(f.writeSeconds),
      s(l.wire),
      s(l.flash),
      l.binds,
      l.ratio.toFixed(3),
      kib(f.toChipBytes),
      kib(f.erasedBytes),
      kib(f.programmedBytes),
      f.flashMatches ? 'verified' : 'WRONG',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 || i === 4 || i === 9 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(head), '  ' + widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

const baudLabel = (f: WriteFigures) => `${f.baud} baud${f.linkBaud !== f.baud ? ` (fell back to ${f.linkBaud})` : ''}`;

await mkdir(OUT, { recursive: true });
await build({ configFile: false, root: 'bench/flash', logLevel: 'warn', build: { outDir: `../../${OUT}`, emptyOutDir: true, target: 'es2022' } });
await copyFile(APP, `${OUT}/app.bin`);
const server = await startStaticServer({ root: OUT, port: 0 });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => document.title === 'flash bench ready');
  console.log('Flash benchmark: esptool-js via FieldFlash EspSession in Chromium, emulated ESP32 with wire time and flash time on.');
  console.log('Wire limit = bytes sent to the chip x 10 bits / baud (8N1). Flash limit = time the emulated flash was busy');
  console.log('erasing and programming (W25Q32JV typical tSE 45 ms, tBE 150 ms, tPP 0.4 ms/page). Both from the same run;');
  console.log('the larger binds, and "limit / write" is how close the write came to it.\n');

  const full: Row[] = [];
  for (const baud of BAUDS) {
    const f = await page.evaluate((b) => window.flashBench.fullWrite(b), baud);
    full.push({ label: baudLabel(f), f });
  }
  const app = full[0]!.f;
  console.log(`Full write of the app, ${kib(app.imageBytes)} (${kib(app.compressedBytes)} deflated), MD5-verified:`);
  console.log(table(full));
  console.log(`\nAgainst the goal (limit / write >= ${FULL_WRITE_GOAL.toFixed(2)} at every baud) and esptool on the same emulator:`);
  const head = ['baud', 'FieldFlash', 'limit / write', 'goal', `${ESPTOOL.version} (reference)`, 'FieldFlash vs esptool'];
  const rows = full.map(({ f }) => {
    const ratio = limits(f).ratio;
    const esptool = ESPTOOL.seconds.get(f.baud);
    return [
      String(f.baud),
      s(f.writeSeconds),
      ratio.toFixed(3),
      ratio >= FULL_WRITE_GOAL ? 'meets' : 'MISSES',
      esptool === undefined ? 'not measured' : s(esptool),
      esptool === undefined ? '' : `${s(Math.abs(esptool - f.writeSeconds))} ${esptool > f.writeSeconds ? 'faster' : 'SLOWER'}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const cells of [head, widths.map((w) => '-'.repeat(w)), ...rows]) console.log('  ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
  console.log(`  Reference: ${ESPTOOL.source}.`);
  // For bench/RESULTS.md: each write against its binding limit, and esptool's figures beside them.
  for (const { f } of full) {
    const l = limits(f);
    const note = f.linkBaud !== f.baud ? `fell back to ${f.linkBaud} baud` : undefined;
    reportRow({ name: `full write of the app at ${f.baud} baud`, value: f.writeSeconds, unit: 's', baseline: { name: `${l.binds} limit`, value: Math.max(l.wire, l.flash), unit: 's' }, ratio: l.ratio, ratioOf: 'limit / write', target: f.baud >= 921600 ? { atLeast: FULL_WRITE_GOAL } : undefined, note });
  }
  for (const [baud, seconds] of ESPTOOL.seconds) {
    reportReference({ name: `${ESPTOOL.version} write-flash at ${baud} baud`, value: seconds, unit: 's', source: ESPTOOL.source, beside: `full write of the app at ${baud} baud` });
  }

  console.log('\nFast re-flash at 921600 baud: the app changed in 4 places (64 bytes each), written over the old one:');
  const { full: whole, known, unknown } = await page.evaluate((b) => window.flashBench.reflash(b), 921600);
  console.log(
    table([
      { label: 'whole write', f: whole },
      { label: 'fast, release known', f: known },
      { label: 'fast, content unknown', f: unknown },
    ]),
  );
  for (const [label, f] of [
    ['release known', known],
    ['content unknown', unknown],
  ] as const) {
    const times = f.writeSeconds / Math.max(f.flashBusySeconds, wireSeconds(f));
    console.log(
      `  ${label}: wrote ${kib(f.writtenBytes)}, skipped ${kib(f.skippedBytes)} with ${f.md5Queries} MD5 question${f.md5Queries === 1 ? '' : 's'}; ` +
        `sent ${kib(f.toChipBytes)} instead of ${kib(whole.toChipBytes)}; done in ${s(f.writeSeconds)} instead of ${s(whole.writeSeconds)} ` +
        `(${(whole.writeSeconds / f.writeSeconds).toFixed(1)}x faster); ${times.toFixed(2)}x its limit, goal within ${REFLASH_GOAL}x: ${times <= REFLASH_GOAL ? 'meets' : 'MISSES'}.`,
    );
    const limit = Math.max(f.flashBusySeconds, wireSeconds(f));
    reportRow({ name: `fast re-flash at 921600 baud, app changed in 4 places, ${label}`, value: f.writeSeconds, unit: 's', baseline: { name: 'its limit', value: limit, unit: 's' }, ratio: times, ratioOf: 'write / limit', target: { atMost: REFLASH_GOAL } });
  }
} finally {
  await browser.close();
  await server.close();
}
