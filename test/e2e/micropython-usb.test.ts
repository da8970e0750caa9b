// The MicroPython path in the Flash view: flash the MicroPython demo image into the simulated ESP32, which boots
// into the real interpreter; copy the demo app over USB (the raw REPL) and see it start; a second copy skips what
// is unchanged; a cable pulled mid-file leaves the old file in place, and the retry completes.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeVfsImage } from '@fieldflash/esp-emulator';
import { demoTree } from '../../src/micropython/demo-trees.ts';
import { MICROPYTHON_DEMO_ZIP_NAME, MICROPYTHON_VFS } from '../../scripts/micropython-demo-release.ts';
import { openApp, type AppSession } from './browser.ts';
import { bootVerdict, connectSimulated, flash, importThroughLibrary, openFlashView, savedFlashImage, unfold } from './flash.support.ts';
import { trustDemoReleases } from './trust.support.ts';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
  await trustDemoReleases(app.page, 'MicroPython Demo');
});
afterAll(async () => app?.close());

/** The board's files, read from the vfs partition of the flash image the Simulated device panel saves. */
async function boardFiles(page: Page): Promise<Map<string, string>> {
  const image = await savedFlashImage(page);
  const contents = decodeVfsImage(image.subarray(MICROPYTHON_VFS.offset, MICROPYTHON_VFS.offset + MICROPYTHON_VFS.size));
  if (contents.kind !== 'files') throw new Error(`the vfs partition is ${contents.kind}`);
  return new Map(contents.entries.flatMap((e) => (e.kind === 'file' ? [[e.path, new TextDecoder().decode(e.bytes)] as const] : [])));
}

async function treeText(version: '1.0.0' | '1.1.0', path: string): Promise<string> {
  const file = (await demoTree(version)).files.find((f) => f.path === path)!;
  return new TextDecoder().decode(file.data as Uint8Array);
}

async function copy(page: Page, tree: string): Promise<void> {
  const panel = page.getByRole('region', { name: 'Copy files to MicroPython' });
  await panel.getByLabel('Source tree').selectOption({ label: tree });
  await panel.getByRole('button', { name: 'Copy to board' }).click();
}

async function copyResult(page: Page): Promise<string> {
  const result = page.getByRole('status', { name: 'Copy result' });
  await result.waitFor({ timeout: 60_000 });
  return (await result.innerText()).replace(/\s+/g, ' ');
}

test('MicroPython flashed to the simulated ESP32 boots to its REPL, and the demo app copies over USB and starts', async () => {
  const { page } = app;
  await importThroughLibrary(page, MICROPYTHON_DEMO_ZIP_NAME, await readFile(`dist/demo/${MICROPYTHON_DEMO_ZIP_NAME}`));
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: true });
  await flash(page, { release: /MicroPython Demo/, erase: 'erase-all', baud: 921600 });
  expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted' });
  const console = page.getByRole('log', { name: 'Serial console output' });
  await expect.poll(() => console.textContent(), { timeout: 20_000 }).toMatch(/MicroPython v1\.27\.0 on [\d-]+; Generic ESP32 module with ESP32\nType "help\(\)" for more information\.\n>>> /);

  await copy(page, 'Demo app 1.0.0');
  expect(await copyResult(page)).toMatch(
    /^main\.py started: “FieldFlash demo app 1\.0\.0 started on bench board - 120 tips loaded” \(it ended; the REPL is back\)\. Demo app 1\.0\.0: 4 copied \([\d.]+ KiB\), 0 unchanged, 0 kept\.$/,
  );
  const files = page.getByRole('region', { name: 'Progress per file' });
  expect(await files.innerText()).toMatch(/lib\/messages\.py\s+[\d.]+ KiB — copied, SHA-256 checked on the board/);
  // The console shows the soft reset and the app's line, not the raw-REPL traffic.
  const shown = (await console.textContent()) ?? '';
  expect(shown).toMatch(/MPY: soft reboot\nFieldFlash demo app 1\.0\.0 started on bench board - 120 tips loaded\n/);
  expect(shown).not.toContain('raw REPL; CTRL-B to exit');
  // Wi-Fi setup stays away: Improv's probe bytes would be Ctrl keys to the REPL.
  expect(shown).not.toMatch(/SyntaxError|IMPROV/);
  expect(await page.getByRole('heading', { name: 'Wi-Fi setup' }).count()).toBe(0);
  await page.screenshot({ path: 'test-results/micropython-1-copied.png', fullPage: true });
});

test('a second copy of the same tree skips every unchanged file and keeps env.py', async () => {
  const { page } = app;
  await copy(page, 'Demo app 1.0.0');
  await expect.poll(() => copyResult(page), { timeout: 60_000 }).toMatch(/Demo app 1\.0\.0: 0 copied, 3 unchanged, 1 kept\.$/);
  const files = await page.getByRole('region', { name: 'Progress per file' }).innerText();
  expect(files).toMatch(/main\.py\s+[\d.]+ (KiB|bytes) — unchanged, skipped/);
  expect(files).toMatch(/env\.py\s+[\d.]+ (KiB|bytes) — kept: the board’s own file/);
  await page.screenshot({ path: 'test-results/micropython-2-unchanged.png', fullPage: true });

  const onBoard = await boardFiles(page);
  for (const path of ['main.py', 'lib/greeting.py', 'lib/messages.py', 'env.py']) expect(onBoard.get(path), path).toBe(await treeText('1.0.0', path));
  expect(onBoard.get('.version')).toBe('1.0.0');
});

test('a cable pulled in the middle of a file leaves the old file; the retry completes', async () => {
  const { page } = app;
  await unfold(page, 'Simulated device tools');
  // main.py of 1.1.0 is copied first; 4 KiB in, the copy is inside lib/messages.py.
  await page.getByLabel('Pull cable after (KiB)').fill('4');
  await page.getByRole('button', { name: 'Pull cable' }).click();
  await copy(page, 'Demo app 1.1.0');
  const problem = page.getByRole('alert', { name: 'Copy problem' });
  await problem.waitFor({ timeout: 60_000 });
  expect(await problem.innerText()).toMatch(/The USB connection was lost while copying lib\/messages\.py\. The board still has its previous lib\/messages\.py/);
  await page.screenshot({ path: 'test-results/micropython-3-cable-pulled.png', fullPage: true });
  let onBoard = await boardFiles(page);
  expect(onBoard.get('lib/messages.py')).toBe(await treeText('1.0.0', 'lib/messages.py'));
  expect(onBoard.get('.version')).toBe('1.0.0');
  expect([...onBoard.keys()].filter((p) => p.endsWith('.part'))).toEqual(['lib/messages.py.part']);

  await page.getByRole('button', { name: 'Re-plug' }).click();
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: true });
  await page.getByRole('button', { name: 'Reset board' }).click();
  await page.getByRole('button', { name: 'Copy to board' }).and(page.locator(':enabled')).waitFor({ timeout: 20_000 });
  await copy(page, 'Demo app 1.1.0');
  expect(await copyResult(page)).toMatch(
    /^main\.py started: “FieldFlash demo app 1\.1\.0 started on bench board - 120 tips loaded” \(it ended; the REPL is back\)\. Demo app 1\.1\.0: 1 copied \([\d.]+ KiB\), 2 unchanged, 1 kept\.$/,
  );
  await page.screenshot({ path: 'test-results/micropython-4-retried.png', fullPage: true });
  onBoard = await boardFiles(page);
  expect(onBoard.get('lib/messages.py')).toBe(await treeText('1.1.0', 'lib/messages.py'));
  expect(onBoard.get('main.py')).toBe(await treeText('1.1.0', 'main.py'));
  expect(onBoard.get('.version')).toBe('1.1.0');
  expect([...onBoard.keys()].filter((p) => p.endsWith('.part'))).toEqual([]);
});
