// No secret is written anywhere a person or another program could read it. With known secrets (a Wi-Fi password
// sent over Improv, a device's pairing secret, the key derived from it and each session key of an update; then a
// compatibility-mode password and a MicroPython agent's pairing code and the key the board got), the tests
// provisions a simulated board, pairs a reference agent run as a program and updates it, exports the field report
// and the console log, then searches, for each secret as typed, in hex and in base64: every IndexedDB store and
// web storage, the page's console, the downloads, the Flash log, and the agent's stdout, stderr and state folder
// (which holds only the derived key, as the device must).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeVfsImage } from '@fieldflash/esp-emulator';
import { sessionKey } from '@fieldflash/protocol';
import { MICROPYTHON_DEMO_ZIP_NAME, MICROPYTHON_VFS } from '../../scripts/micropython-demo-release.ts';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { addByAddress, DEMO, deviceCard, openDevicesView, updateResult } from './devices.support.ts';
import { connectSimulated, disconnect, flash, flashLogText, importThroughLibrary, openFlashView, savedFlashImage } from './flash.support.ts';
import { releaseRow } from './library.support.ts';
import { everyStoredText, writtenForms } from './stored-texts.support.ts';

const PAIRING_SECRET = 'pairing-Secret-8c1f-quartz-lantern';
const WIFI_PASSWORD = 'wifi-Secret-51d2-amber';
const COMPAT_PASSWORD = 'compat-Secret-77e0-harbour-violet';
const AGENT_CLI = fileURLToPath(new URL('../../packages/agent/src/cli.ts', import.meta.url));

let app: AppSession;
const consoleLines: string[] = [];
beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
  app.context.on('console', (message) => consoleLines.push(message.text()));
  await app.page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(app.page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
});
afterAll(async () => app?.close());

/** The reference agent as a program, its secret read from a file (never its command line), its output kept. */
async function runAgent(dir: string, secret: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string; output: () => string; stop: () => Promise<void> }> {
  const secretFile = join(mkdtempSync(join(tmpdir(), 'fieldflash-secret-')), 'secret');
  writeFileSync(secretFile, secret, { mode: 0o600 });
  const env = { ...process.env };
  delete env.FIELDFLASH_PAIRING_SECRET;
  const args = ['--dir', dir, '--password-file', secretFile, '--port', '0', '--no-webrtc', '--product', DEMO.product, '--board', DEMO.board, '--version', '0.9.0', ...extra];
  const child = spawn(process.execPath, ['--import', 'tsx', AGENT_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const found = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`the agent exited with ${code}: ${out}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { child, url, output: () => out, stop };
}

type Place = { where: string; text: string };

/** Each place that holds one of the secrets, named with the start of the secret. */
function leaks(places: readonly Place[], secrets: readonly string[]): string[] {
  return places.flatMap(({ where, text }) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${where} holds ${JSON.stringify(secret.slice(0, 12))}…`));
}

/** What the page keeps and has written to its console, as places to search. */
async function pagePlaces(page: Page): Promise<Place[]> {
  const stored = await everyStoredText(page);
  expect(stored.stores).toEqual(expect.arrayContaining(['fieldflash/pairedDevices', 'fieldflash/compatDevices', 'fieldflash/devices', 'fieldflash/fieldReport']));
  return [
    { where: 'IndexedDB and web storage', text: stored.texts.join('\n') },
    { where: 'page console', text: consoleLines.join('\n') },
  ];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

async function downloadText(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = (await Promise.all([page.waitForEvent('download'), click()])) as [Download, void];
  return readFileSync(await download.path(), 'latin1');
}

test('a Wi-Fi password, a pairing secret, its key and the session keys are nowhere in storage, logs or files', async () => {
  const { page } = app;
  const found: Place[] = [];

  // Wi-Fi over Improv on the simulated board.
  await openFlashView(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  const wifiPanel = page.getByRole('form', { name: 'Simulated Wi-Fi' });
  // Folded away in the simulated device tools, where a role query cannot see it yet.
  const folded = page.locator('details:not([open])', { has: page.locator('form[aria-label="Simulated Wi-Fi"]') });
  if ((await folded.count()) > 0) await folded.first().locator('summary').first().click();
  await wifiPanel.getByLabel(/Simulated networks/).fill(`FieldLab, ${WIFI_PASSWORD}, -45`);
  await wifiPanel.getByLabel('URL the board reports').fill('http://192.168.77.10/');
  await wifiPanel.getByRole('button', { name: 'Apply Wi-Fi settings' }).click();
  await wifiPanel.getByText('Applied').waitFor();
  await flash(page, { release: /FieldFlash Demo/, erase: 'erase-all', baud: 921600 });
  const setup = page.getByRole('region', { name: 'Wi-Fi setup' });
  await setup.getByLabel('Network name (SSID)').waitFor({ timeout: 20_000 });
  await setup.getByLabel('Network name (SSID)').fill('FieldLab');
  await setup.getByLabel('Wi-Fi password').fill(WIFI_PASSWORD);
  await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
  await setup.getByRole('status', { name: 'Wi-Fi result' }).waitFor({ timeout: 15_000 });
  found.push({ where: 'Flash log', text: await flashLogText(page) });
  found.push({ where: 'serial console', text: (await page.getByRole('log', { name: 'Serial console output' }).textContent()) ?? '' });
  found.push({ where: 'console download', text: await downloadText(page, () => page.getByRole('button', { name: 'Download console log' }).click()) });

  // A device paired with its secret and updated; the logins' session keys are worked out from what went over the wire.
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-device-'));
  const agent = await runAgent(dir, PAIRING_SECRET);
  const logins: Array<{ challengeId: string; clientNonce: string }> = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/fieldflash/v1/auth/response')) logins.push(request.postDataJSON() as { challengeId: string; clientNonce: string });
  });
  try {
    await openDevicesView(page);
    expect(await addByAddress(page, agent.url, PAIRING_SECRET)).toMatchObject({ added: true });
    const card = deviceCard(page, `${DEMO.product} at ${new URL(agent.url).host}`);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0/);
    const report = page.getByRole('region', { name: 'Field report' });
    for (const format of ['CSV', 'JSON']) {
      found.push({ where: `field report ${format}`, text: await downloadText(page, () => report.getByRole('button', { name: `Export the field report as ${format}` }).click()) });
    }
  } finally {
    await agent.stop();
  }
  found.push({ where: 'agent stdout and stderr', text: agent.output() });
  const agentFiles = filesUnder(dir).map((path) => ({ where: `agent state ${path}`, text: readFileSync(path, 'latin1') }));

  found.push(...(await pagePlaces(page)));
  // What was looked at is what was written: the report lists the update, storage holds the paired device.
  expect(found.find((f) => f.where === 'field report CSV')!.text).toContain('confirmed');
  expect(found.find((f) => f.where === 'IndexedDB and web storage')!.text).toContain(agent.url);

  const auth = JSON.parse(readFileSync(join(dir, 'auth.json'), 'utf8')) as { key: string };
  const key = new Uint8Array(Buffer.from(auth.key, 'base64'));
  expect(logins.length).toBeGreaterThan(0);
  const sessionKeys = await Promise.all(logins.map((login) => sessionKey(key, login.challengeId, login.clientNonce)));
  const userSecrets = [...writtenForms(WIFI_PASSWORD), ...writtenForms(PAIRING_SECRET)];
  const derived = [...writtenForms(key), ...sessionKeys.flatMap((k) => writtenForms(new Uint8Array(k)))];
  expect(leaks(found, [...userSecrets, ...derived])).toEqual([]);
  // The device keeps the derived key (auth.json), and nothing else of them.
  expect(leaks(agentFiles, userSecrets)).toEqual([]);
  expect(leaks(agentFiles.filter((f) => !f.where.endsWith('auth.json')), derived)).toEqual([]);
});

test('a compatibility-mode password and a MicroPython agent’s pairing code are nowhere the page keeps or writes', async () => {
  const { page } = app;
  const found: Place[] = [];

  // ESPHome upload with HTTP Basic credentials: the password goes in the push's requests only.
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-device-'));
  // Named as the demo image names itself: ESPHome's own check, which the agent copies, wants the two to agree.
  const agent = await runAgent(dir, COMPAT_PASSWORD, ['--product', 'fieldflash-demo', '--compat', '--compat-origin', new URL(app.url).origin]);
  try {
    await openDevicesView(page);
    const form = page.getByRole('form', { name: 'Add an ESPHome or ElegantOTA device' });
    await form.getByLabel('It runs').selectOption('esphome');
    await form.getByLabel('Device address').fill(agent.url);
    await form.getByLabel('User name').fill('admin');
    await form.getByRole('button', { name: 'Add in compatibility mode' }).click();
    await form.getByRole('status', { name: 'Compatibility mode status' }).getByText(/^Added /).waitFor({ timeout: 15_000 });
    const label = `ESPHome device at ${new URL(agent.url).host}`;
    const push = page.getByRole('article', { name: label }).getByRole('form', { name: `Push a release to ${label}` });
    await push.getByLabel('Release').selectOption({ label: 'FieldFlash Demo 1.0.0' });
    await push.getByLabel('Password for admin').fill(COMPAT_PASSWORD);
    await push.getByRole('button', { name: 'Push FieldFlash Demo 1.0.0' }).click();
    const result = page.getByRole('article', { name: label }).getByRole('status', { name: 'Push result' });
    await result.waitFor({ timeout: 60_000 });
    expect(await result.innerText()).toMatch(/^New version/);
  } finally {
    await agent.stop();
  }
  found.push({ where: 'agent stdout and stderr', text: agent.output() });

  // MicroPython with the FieldFlash agent over USB: the board gets a key derived from the code, the page keeps nothing.
  await importThroughLibrary(page, MICROPYTHON_DEMO_ZIP_NAME, await readFile(`dist/demo/${MICROPYTHON_DEMO_ZIP_NAME}`));
  await openFlashView(page);
  // A fresh board, whatever the test before left connected.
  if (await page.getByRole('button', { name: 'Disconnect' }).count()) await disconnect(page);
  await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
  await flash(page, { release: /MicroPython Demo/, erase: 'erase-all', baud: 921600 });
  const copy = page.getByRole('region', { name: 'Copy files to MicroPython' });
  await copy.waitFor({ timeout: 20_000 });
  await copy.getByLabel('Source tree').selectOption({ label: 'Bench Sensor 1.0.0' });
  await copy.getByLabel('Install the FieldFlash agent with it (LAN updates)').check();
  const code = await copy.getByLabel('Pairing code').inputValue();
  expect(code.length).toBeGreaterThan(10);
  await copy.getByRole('button', { name: 'Copy to board' }).click();
  await page.getByRole('status', { name: 'Copy result' }).waitFor({ timeout: 90_000 });
  // The board's key, read from its flash, is one more secret to look for.
  const image = await savedFlashImage(page);
  const contents = decodeVfsImage(image.subarray(MICROPYTHON_VFS.offset, MICROPYTHON_VFS.offset + MICROPYTHON_VFS.size));
  if (contents.kind !== 'files') throw new Error(`the vfs partition is ${contents.kind}`);
  const auth = contents.entries.find((e) => e.kind === 'file' && e.path === 'fieldflash/auth.json');
  const boardKey = new Uint8Array(Buffer.from((JSON.parse(new TextDecoder().decode(auth?.kind === 'file' ? auth.bytes : undefined)) as { key: string }).key, 'base64'));
  expect(boardKey.length).toBeGreaterThanOrEqual(16);

  found.push({ where: 'Flash log', text: await flashLogText(page) });
  found.push({ where: 'serial console', text: (await page.getByRole('log', { name: 'Serial console output' }).textContent()) ?? '' });
  found.push({ where: 'console download', text: await downloadText(page, () => page.getByRole('button', { name: 'Download console log' }).click()) });
  const report = page.getByRole('region', { name: 'Field report' });
  await openDevicesView(page);
  found.push({ where: 'field report JSON', text: await downloadText(page, () => report.getByRole('button', { name: 'Export the field report as JSON' }).click()) });
  expect(found.at(-1)!.text).toContain('esphome');
  found.push(...(await pagePlaces(page)));

  const secrets = [...writtenForms(COMPAT_PASSWORD), Buffer.from(`admin:${COMPAT_PASSWORD}`).toString('base64'), ...writtenForms(code), ...writtenForms(boardKey)];
  expect(leaks(found, secrets)).toEqual([]);
  expect(leaks(filesUnder(dir).map((path) => ({ where: `agent state ${path}`, text: readFileSync(path, 'latin1') })), writtenForms(COMPAT_PASSWORD))).toEqual([]);
});
