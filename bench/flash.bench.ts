// Flash benchmark: a ~2 MiB app written into the emulated ESP32 (wire time and flash time on) through FieldFlash's
// serial session and esptool-js, in Debian Chromium. Each write is set against the two limits measured in the same
// run: the ideal wire time of the bytes actually sent, and the time the emulated flash chip was busy erasing and
// programming (datasheet timings). The larger of the two binds.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'vite';
import { startStaticServer } from '../scripts/static-server.mjs';
import { launchBrowser } from '../test/e2e/browser.ts';
import type { WriteFigures } from './flash/bench-page.ts';
import { ESPTOOL_SOURCE, ESPTOOL_WRITE_FLASH } from './lib/reference-figures.ts';
import { reportReference, reportRow } from './lib/report-rows.ts';

const OUT = '.bench/flash';
const APP = '../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/Application.bin';
const BAUDS = [115200, 921600, 2000000];

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
  // For bench/RESULTS.md: each write against its binding limit; the goal holds from 921600 baud up.
  for (const { f } of full) {
    const l = limits(f);
    const name = `full write of the app at ${f.baud} baud`;
    const note = f.linkBaud !== f.baud ? `fell back to ${f.linkBaud} baud` : undefined;
    reportRow({ name, value: f.writeSeconds, unit: 's', baseline: { name: `${l.binds} limit`, value: Math.max(l.wire, l.flash), unit: 's' }, ratio: l.ratio, ratioOf: 'limit / write', target: f.baud >= 921600 ? { atLeast: 0.95 } : undefined, note });
  }
  for (const e of ESPTOOL_WRITE_FLASH) {
    console.log(`  reference: esptool v5.3.1 write-flash at ${e.baud} baud, ${s(e.seconds)} (${ESPTOOL_SOURCE})`);
    reportReference({ name: `esptool v5.3.1 write-flash at ${e.baud} baud`, value: e.seconds, unit: 's', source: ESPTOOL_SOURCE, beside: `full write of the app at ${e.baud} baud` });
  }

  console.log('\nFast re-flash at 921600 baud: the app changed in 4 places (64 bytes each), written over the old one:');
  const { full: whole, fast } = await page.evaluate((b) => window.flashBench.reflash(b), 921600);
  console.log(table([
    { label: 'whole write', f: whole },
    { label: 'fast re-flash', f: fast },
  ]));
  console.log(
    `  fast re-flash wrote ${kib(fast.writtenBytes)} and skipped ${kib(fast.skippedBytes)} (${fast.md5Queries} MD5 queries); ` +
      `sent ${kib(fast.toChipBytes)} instead of ${kib(whole.toChipBytes)} (${(whole.toChipBytes / Math.max(1, fast.toChipBytes)).toFixed(1)}x less); ` +
      `erased ${kib(fast.erasedBytes)} instead of ${kib(whole.erasedBytes)} and kept the flash busy ${s(fast.flashBusySeconds)} instead of ` +
      `${s(whole.flashBusySeconds)}; done in ${s(fast.writeSeconds)} instead of ${s(whole.writeSeconds)} ` +
      `(${(whole.writeSeconds / fast.writeSeconds).toFixed(1)}x faster, the erases it avoids included).`,
  );
  const reflash = limits(fast);
  const reflashLimit = Math.max(reflash.wire, reflash.flash);
  reportRow({
    name: 'fast re-flash at 921600 baud, app changed in 4 places',
    value: fast.writeSeconds,
    unit: 's',
    baseline: { name: `${reflash.binds} limit`, value: reflashLimit, unit: 's' },
    ratio: fast.writeSeconds / reflashLimit,
    ratioOf: 'write / limit',
    target: { atMost: 3 },
  });
} finally {
  await browser.close();
  await server.close();
}
