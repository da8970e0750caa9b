// No secret is written anywhere a person or another program could read it. With known secrets (a Wi-Fi password
// sent over Improv, a device's pairing secret, the key derived from it and each session key of an update), the test
// provisions a simulated board, pairs a reference agent run as a program and updates it, exports the field report
// and the console log, then searches, for each secret as typed, in hex and in base64: every IndexedDB store and
// web storage, the page's console, the downloads, the Flash log, and the agent's stdout, stderr and state folder
// (which holds only the derived key, as the device must).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sessionKey } from '@fieldflash/protocol';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { addByAddress, DEMO, deviceCard, openDevicesView, updateResult } from './devices.support.ts';
import { connectSimulated, flash, flashLogText, openFlashView } from './flash.support.ts';
import { releaseRow } from './library.support.ts';
import { everyStoredText, writtenForms } from './stored-texts.support.ts';

const PAIRING_SECRET = 'pairing-Secret-8c1f-quartz-lantern';
const WIFI_PASSWORD = 'wifi-Secret-51d2-amber';
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
async function runAgent(dir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const secretFile = join(mkdtempSync(join(tmpdir(), 'fieldflash-secret-')), 'secret');
  writeFileSync(secretFile, PAIRING_SECRET, { mode: 0o600 });
  const env = { ...process.env };
  delete env.FIELDFLASH_PAIRING_SECRET;
  const args = ['--dir', dir, '--password-file', secretFile, '--port', '0', '--no-webrtc', '--product', DEMO.product, '--board', DEMO.board, '--version', '0.9.0'];
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
  return { child, url, output: () => out };
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
  const found: Array<{ where: string; text: string }> = [];

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
  const agent = await runAgent(dir);
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
    agent.child.kill('SIGTERM');
    await new Promise((resolve) => (agent.child.exitCode === null ? agent.child.once('exit', resolve) : resolve(undefined)));
  }
  found.push({ where: 'agent stdout and stderr', text: agent.output() });
  const agentFiles = filesUnder(dir).map((path) => ({ where: `agent state ${path}`, text: readFileSync(path, 'latin1') }));

  const stored = await everyStoredText(page);
  expect(stored.stores).toEqual(expect.arrayContaining(['fieldflash/pairedDevices', 'fieldflash/devices', 'fieldflash/fieldReport']));
  found.push({ where: 'IndexedDB and web storage', text: stored.texts.join('\n') });
  found.push({ where: 'page console', text: consoleLines.join('\n') });
  // What was looked at is what was written: the report lists the update, storage holds the paired device.
  expect(found.find((f) => f.where === 'field report CSV')!.text).toContain('confirmed');
  expect(stored.texts.join('\n')).toContain(agent.url);

  const auth = JSON.parse(readFileSync(join(dir, 'auth.json'), 'utf8')) as { key: string };
  const key = new Uint8Array(Buffer.from(auth.key, 'base64'));
  expect(logins.length).toBeGreaterThan(0);
  const sessionKeys = await Promise.all(logins.map((login) => sessionKey(key, login.challengeId, login.clientNonce)));
  const userSecrets = [...writtenForms(WIFI_PASSWORD), ...writtenForms(PAIRING_SECRET)];
  const derived = [...writtenForms(key), ...sessionKeys.flatMap((k) => writtenForms(new Uint8Array(k)))];
  const leaks = (places: typeof found, secrets: string[]) =>
    places.flatMap(({ where, text }) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${where} holds ${JSON.stringify(secret.slice(0, 12))}…`));
  expect(leaks(found, [...userSecrets, ...derived])).toEqual([]);
  // The device keeps the derived key (auth.json), and nothing else of them.
  expect(leaks(agentFiles, userSecrets)).toEqual([]);
  expect(leaks(agentFiles.filter((f) => !f.where.endsWith('auth.json')), derived)).toEqual([]);
});
