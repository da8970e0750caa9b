// Builds browser-page.ts with Vite, serves it on 127.0.0.1 and runs the raw-line measurement in Debian Chromium.
// Run: npx tsx bench/emulator/browser-throughput.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchBrowser } from '../../test/e2e/browser.ts';
import { startStaticServer } from '../../scripts/static-server.mjs';

const out = fileURLToPath(new URL('../../.tmp/emulator-bench/', import.meta.url));
mkdirSync(out, { recursive: true });
await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: out,
    emptyOutDir: true,
    lib: { entry: fileURLToPath(new URL('./browser-page.ts', import.meta.url)), formats: ['es'], fileName: () => 'page.js' },
  },
});
writeFileSync(`${out}index.html`, '<!doctype html><script type="module" src="./page.js"></script>');
const server = await startStaticServer({ root: out, port: 0 });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => 'measureLine' in globalThis);
  for (const baud of [921600, 2000000]) {
    const { up, down } = await page.evaluate(([b, n]) => (globalThis as unknown as { measureLine: (b: number, n: number) => Promise<{ up: number; down: number }> }).measureLine(b, n), [baud, 1024 * 1024] as const);
    const limit = baud / 10;
    console.log(`Chromium, ${baud} baud (limit ${(limit / 1024).toFixed(1)} KiB/s): host -> chip ${((up / limit) * 100).toFixed(1)} %, chip -> host ${((down / limit) * 100).toFixed(1)} %`);
  }
} finally {
  await browser.close();
  await server.close();
}
