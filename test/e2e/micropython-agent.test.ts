// The MicroPython path from the library: the demo release's MicroPython application (Bench Sensor, a source tree)
// is offered for the simulated ESP32 running MicroPython 1.27.0, a tree that needs 1.28.0 is listed with the reason;
// installed with the FieldFlash agent over USB it starts from /app, and the saved flash image holds the agent, its
// settings, a key (not the code) and the application. That saved board then runs on the agent's Node bridge and takes
// the pairing code the page showed.
import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeVfsImage } from '@fieldflash/esp-emulator';
import { microPythonAppTree } from '../../scripts/micropython-app-release.ts';
import { MICROPYTHON_DEMO_ZIP_NAME, MICROPYTHON_VFS } from '../../scripts/micropython-demo-release.ts';
import { treeRelease } from '../fixtures/micropython-app.ts';
import { logsIn, runSavedBoard, type RunningBridge } from '../integration/micropython-bridge.support.ts';
import { openApp, type AppSession } from './browser.ts';
import { bootVerdict, connectSimulated, flash, importThroughLibrary, openFlashView, savedFlashImage } from './flash.support.ts';
import { releaseRow, zipFiles } from './library.support.ts';
import { allowUnsigned, trustDemoReleases } from './trust.support.ts';

const AGENT_DIR = fileURLToPath(new URL('../../agents/micropython/fieldflash/', import.meta.url));
const BOARD_MAIN = fileURLToPath(new URL('../../agents/micropython/board/main.py', import.meta.url));

let app: AppSession;
let bridge: RunningBridge | undefined;
beforeAll(async () => {
  app = await openApp();
  await trustDemoReleases(app.page, 'FieldFlash Demo', 'Bench Sensor', 'MicroPython Demo');
  await allowUnsigned(app.page, 'Greenhouse Sensor');
});
afterAll(async () => {
  bridge?.stop();
  await app?.close();
});

function panel(page: Page) {
  return page.getByRole('region', { name: 'Copy files to MicroPython' });
}

async function copyResult(page: Page): Promise<string> {
  const result = page.getByRole('status', { name: 'Copy result' });
  await result.waitFor({ timeout: 90_000 });
  return (await result.innerText()).replace(/\s+/g, ' ');
}

async function boardFiles(page: Page): Promise<{ image: Buffer; files: Map<string, Uint8Array> }> {
  const image = await savedFlashImage(page);
  const contents = decodeVfsImage(image.subarray(MICROPYTHON_VFS.offset, MICROPYTHON_VFS.offset + MICROPYTHON_VFS.size));
  if (contents.kind !== 'files') throw new Error(`the vfs partition is ${contents.kind}`);
  return { image, files: new Map(contents.entries.flatMap((e) => (e.kind === 'file' ? [[e.path, e.bytes] as const] : []))) };
}

function agentSources(dir = AGENT_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? agentSources(path) : name.endsWith('.py') ? [path] : [];
  });
}

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

test('the library’s trees that suit the board’s MicroPython are offered; one needing 1.28.0 is listed with the reason', async () => {
  const { page } = app;
  await page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(page, 'Bench Sensor 1.1.0').waitFor({ timeout: 30_000 });
  const newer = await treeRelease({ version: '2.0.0', target: { runtime: { name: 'micropython', minVersion: '1.28.0' } } });
  await importThroughLibrary(page, 'greenhouse-sensor-2.0.0.zip', await zipFiles(newer.map((f) => ({ path: f.path, bytes: Buffer.from(f.data) }))));
  await importThroughLibrary(page, MICROPYTHON_DEMO_ZIP_NAME, await readFile(`dist/demo/${MICROPYTHON_DEMO_ZIP_NAME}`));

  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: true });
  await flash(page, { release: /MicroPython Demo/, erase: 'erase-all', baud: 921600 });
  expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted' });
  await panel(page).waitFor({ timeout: 20_000 });
  expect(await panel(page).getByLabel('Source tree').locator('option').allInnerTexts()).toEqual([
    'Bench Sensor 1.1.0',
    'Bench Sensor 1.0.0',
    'Demo app 1.0.0',
    'Demo app 1.1.0',
  ]);
  expect(await panel(page).getByRole('list', { name: 'Not offered for this board:' }).getByRole('listitem').allInnerTexts()).toEqual([
    'Greenhouse Sensor 2.0.0 needs MicroPython 1.28.0 or later; this device runs 1.27.0. Update MicroPython on it first.',
  ]);
});

test('installed with the FieldFlash agent, the application starts from /app; the board holds the agent and a key, not the code', async () => {
  const { page } = app;
  await panel(page).getByLabel('Source tree').selectOption({ label: 'Bench Sensor 1.0.0' });
  await panel(page).getByLabel('Install the FieldFlash agent with it (LAN updates)').check();
  // A code anyone could guess is refused before a byte goes to the board.
  await panel(page).getByLabel('Pairing code').fill('demo');
  await panel(page).getByRole('button', { name: 'Copy to board' }).click();
  const problem = page.getByRole('alert', { name: 'Copy problem' });
  await problem.waitFor();
  expect((await problem.innerText()).replace(/\s+/g, ' ')).toBe(
    'That pairing code is too easy to guess: about 18 bits, and the agent needs 80. Nothing was copied. Use the generated code (write it on the board’s label), or a passphrase of five or more words.',
  );
  await panel(page).getByRole('button', { name: 'New code' }).click();
  const code = await panel(page).getByLabel('Pairing code').inputValue();
  expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await panel(page).getByRole('button', { name: 'Copy to board' }).click();
  const result = await copyResult(page);
  expect(result).toMatch(
    /^app\/main\.py started: “Bench Sensor 1\.0\.0 reads 21\.5 C on the bench - 150 readings kept” \(it ended; the REPL is back\)\. Bench Sensor 1\.0\.0: \d+ copied \([\d.]+ KiB\), 0 unchanged, 0 kept\. /,
  );
  expect(result).toContain('Agent: this board has no network module, so the agent does not listen; the application runs without LAN updates');
  expect(result).toContain('npm run agent:micropython -- --dir DIR --flash-file FILE');
  const progress = await page.getByRole('region', { name: 'Progress per file' }).innerText();
  expect(progress).toMatch(/lib\/fieldflash\/agent\.py\s+[\d.]+ KiB — copied, SHA-256 checked on the board/);
  expect(progress).toMatch(/app\/lib\/readings\.py\s+[\d.]+ KiB — copied, SHA-256 checked on the board/);
  expect(await page.getByRole('log', { name: 'Serial console output' }).textContent()).toMatch(
    /MPY: soft reboot\nfieldflash: this board has no network module[^\n]*\nBench Sensor 1\.0\.0 reads 21\.5 C on the bench - 150 readings kept\n/,
  );
  await page.screenshot({ path: 'test-results/micropython-agent-1-installed.png', fullPage: true });

  // 1.1.0 with the same code: the agent's files are on the board already.
  await panel(page).getByLabel('Source tree').selectOption({ label: 'Bench Sensor 1.1.0' });
  await panel(page).getByRole('button', { name: 'Copy to board' }).click();
  await expect.poll(() => copyResult(page), { timeout: 90_000 }).toMatch(/^app\/main\.py started: “Bench Sensor 1\.1\.0 reads 21\.5 C, 48 % RH on the bench/);
  const sources = agentSources();
  // main.py and lib/sensor.py of the application, agent.json (its version) and auth.json (a fresh salt).
  expect(await copyResult(page)).toContain(`Bench Sensor 1.1.0: 4 copied (`);
  expect(await copyResult(page)).toContain(`, ${sources.length + 2} unchanged, 0 kept.`);

  const { image, files } = await boardFiles(page);
  for (const path of sources) {
    const onBoard = `lib/fieldflash/${relative(AGENT_DIR, path).split('\\').join('/')}`;
    expect(Buffer.from(files.get(onBoard) ?? []).equals(readFileSync(path)), onBoard).toBe(true);
  }
  expect(text(files.get('main.py'))).toBe(readFileSync(BOARD_MAIN, 'utf8'));
  for (const [path, source] of Object.entries(microPythonAppTree('1.1.0'))) expect(text(files.get(`app/${path}`)), path).toBe(source);
  expect(text(files.get('app/.version'))).toBe('1.1.0');
  expect(JSON.parse(text(files.get('fieldflash/agent.json')))).toEqual({
    agent: { product: 'Bench Sensor', chip_family: 'ESP32', board: 'esp32-generic', version: '1.1.0', sequence: 2, security_version: 0 },
    port: 8070,
    entry: 'main',
  });
  const auth = text(files.get('fieldflash/auth.json'));
  expect(Object.keys(JSON.parse(auth)).sort()).toEqual(['iterations', 'key', 'salt']);
  expect(auth).not.toContain(code);
  expect([...files.keys()].filter((p) => p.endsWith('.part'))).toEqual([]);

  // The saved board on the bridge: the key derived in the page logs in with the code it showed.
  bridge = await runSavedBoard(image);
  expect(bridge.out).toContain('(Bench Sensor 1.1.0, ESP32 esp32-generic)');
  expect(await logsIn(bridge.url, code)).toBe(true);
});
