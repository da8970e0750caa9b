// Flash benchmark: a ~2 MiB app written into the emulated ESP32 (wire time on) through FieldFlash's serial session
// and esptool-js, in Debian Chromium. The baseline is the ideal wire time of the bytes the same run actually sent.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'vite';
import { startStaticServer } from '../scripts/static-server.mjs';
import { launchBrowser } from '../test/e2e/browser.ts';
import type { WriteFigures } from './flash/bench-page.ts';

const OUT = '.bench/flash';
const APP = '../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/Application.bin';
const BAUDS = [115200, 921600, 2000000];

const wireSeconds = (bytes: number, baud: number) => (bytes * 10) / baud;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const s = (n: number) => `${n.toFixed(2)} s`;

function line(f: WriteFigures): string {
  const ideal = wireSeconds(f.toChipBytes, f.linkBaud);
  return [
    `${String(f.baud).padStart(7)} baud${f.linkBaud !== f.baud ? ` (fell back to ${f.linkBaud})` : ''}:`,
    `write ${s(f.writeSeconds)} vs ideal wire time ${s(ideal)} -> ${(ideal / f.writeSeconds).toFixed(3)} of the wire limit;`,
    `on the wire ${kib(f.toChipBytes)} to chip, ${kib(f.fromChipBytes)} back, for a ${kib(f.imageBytes)} image (${(f.toChipBytes / f.imageBytes).toFixed(3)} of its size);`,
    `connect ${s(f.connectSeconds)}; bytes ${f.flashMatches ? 'verified' : 'WRONG'}`,
  ].join(' ');
}

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
  console.log('Flash benchmark: esptool-js via FieldFlash EspSession in Chromium, emulated ESP32 with wire time on.');
  console.log('Ideal wire time = bytes sent to the chip x 10 bits / baud (8N1), measured in the same run.\n');
  console.log('Full write of the app (deflated, MD5-verified):');
  for (const baud of BAUDS) {
    const figures = await page.evaluate((b) => window.flashBench.fullWrite(b), baud);
    console.log('  ' + line(figures));
  }
  console.log('\nFast re-flash at 921600 baud: the app changed in 4 places (64 bytes each), written over the old one:');
  const { full, fast } = await page.evaluate((b) => window.flashBench.reflash(b), 921600);
  console.log('  whole write: ' + line(full));
  console.log('  fast write : ' + line(fast));
  console.log(
    `  fast re-flash wrote ${kib(fast.writtenBytes)} and skipped ${kib(fast.skippedBytes)} (${fast.md5Queries} MD5 queries); ` +
      `sent ${kib(fast.toChipBytes)} instead of ${kib(full.toChipBytes)} (saved ${kib(full.toChipBytes - fast.toChipBytes)}, ` +
      `${(full.toChipBytes / Math.max(1, fast.toChipBytes)).toFixed(1)}x less) in ${s(fast.writeSeconds)} instead of ${s(full.writeSeconds)} ` +
      `(${(full.writeSeconds / fast.writeSeconds).toFixed(1)}x faster).`,
  );
} finally {
  await browser.close();
  await server.close();
}
