// The README's walk without hardware, as a newcomer does it: `npm start` (its build, its server and the two demo
// devices), then in Chromium: flash the simulated ESP32 over USB, join Wi-Fi, add the board it became in Devices,
// update it over the LAN, and watch the second demo device roll back once its health check is set to fail.
// Underneath, the devices' own slots and verdicts; and however the server is stopped, no demo device outlives it.
// Ports are free ones and the data folder a fresh one, so a developer's own `npm start` can keep running meanwhile.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from './browser.ts';
import { deviceCard, deviceDocument, openDevicesView, updateResult } from './devices.support.ts';
import { bootVerdict, openFlashView, unfold } from './flash.support.ts';
import { releaseRow } from './library.support.ts';
import { trustDemoReleases } from './trust.support.ts';

const SECRET = 'demo';

interface Served {
  child: ChildProcess;
  /** Everything it printed so far, both streams. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * `npm start` as a person types it (its build included: production, as the suite's own), or its server alone
 * (`node scripts/serve.mjs`, on the suite's build); on a free app port, with everything printed collected.
 */
function start(how: 'npm start' | 'serve.mjs', args: readonly string[]): Served {
  const child = how === 'npm start'
    ? spawn('npm', ['start', '--', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } })
    : spawn(process.execPath, ['scripts/serve.mjs', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Resolves with the match once the output matches `pattern`; fails if the server exits first. */
function printed(served: Served, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = pattern.exec(served.output());
      if (!match) return;
      served.child.stdout!.off('data', check);
      resolve(match);
    };
    served.child.stdout!.on('data', check);
    void served.exited.then(() => reject(new Error(`the server exited without printing ${pattern}:\n${served.output()}`)));
    check();
  });
}

/** Processes whose command line mentions `text`, read from /proc as `ps` would. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (command.includes(text) && Number(pid) !== process.pid) found.push(`${pid}: ${command}`);
    } catch {
      // The process ended while the list was read.
    }
  }
  return found;
}

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/demo-${name}.png` });
}

describe('the five steps of the README, against the demo devices npm start runs', () => {
  const demoDir = mkdtempSync(join(tmpdir(), 'fieldflash-demo-'));
  let served: Served;
  let appUrl: string;
  let deviceUrls: string[];
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    served = start('npm start', ['--demo-ports', '0,0', '--demo-dir', demoDir]);
    appUrl = (await printed(served, /FieldFlash is ready at (http:\/\/\S+)/))[1]!;
    const banner = await printed(served, /Demo devices on loopback[^\n]*\n {2}(http:\/\/\S+) [^\n]*\n {2}(http:\/\/\S+) /);
    deviceUrls = [banner[1]!, banner[2]!];
    expect(banner[0]).toContain('pairing secret "demo"');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('pageerror', (err) => console.error('[page error]', err.message));
    await page.goto(appUrl);
  });
  afterAll(async () => {
    await browser?.close();
    if (served?.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await served.exited;
    }
    rmSync(demoDir, { recursive: true, force: true });
  });

  test('flash over USB, join Wi-Fi, add it in Devices, update it over the LAN, see a rollback on the second', async () => {
    // 1. Flash over USB: the demo release into the simulated ESP32, with the Flash view's own defaults.
    // The build signs the demo release with the demo publisher's key; the demo devices trust it too.
    await trustDemoReleases(page, 'FieldFlash Demo');
    await page.getByRole('button', { name: 'Load demo release' }).click();
    await releaseRow(page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
    await openFlashView(page);
    await page.getByRole('button', { name: 'Connect simulated ESP32' }).click();
    await page.getByRole('heading', { name: 'Simulated ESP32 connected' }).waitFor({ timeout: 60_000 });
    // The board reports the first demo device's address as the README names it; this run's device has a port of its own.
    await unfold(page, 'Simulated device tools');
    const wifiPanel = page.getByRole('form', { name: 'Simulated Wi-Fi' });
    expect(await wifiPanel.getByLabel('URL the board reports').inputValue()).toBe('http://127.0.0.1:8070/');
    await wifiPanel.getByLabel('URL the board reports').fill(`${deviceUrls[0]}/`);
    await wifiPanel.getByRole('button', { name: 'Apply Wi-Fi settings' }).click();
    await wifiPanel.getByText('Applied').waitFor();
    expect(await page.getByRole('radio', { name: /FieldFlash Demo/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Flash', exact: true }).click();
    const erase = page.getByRole('alertdialog');
    await erase.getByRole('button', { name: 'Erase and flash' }).click();
    const flashed = page.getByRole('status', { name: 'Flash result' });
    await flashed.or(page.getByRole('alert')).first().waitFor({ timeout: 110_000 });
    expect(await flashed.isVisible(), await page.getByRole('alert').allInnerTexts().then((t) => t.join(' '))).toBe(true);
    expect(await bootVerdict(page)).toMatchObject({ outcome: 'booted', text: expect.stringMatching(/^Booted: fieldflash-demo 1\.0\.0 is running\./) });
    await page.getByRole('status', { name: 'Boot result' }).scrollIntoViewIfNeeded();
    await screenshot(page, '1-flashed');

    // 2. Join Wi-Fi, with the password the README gives, which the Simulated Wi-Fi panel lists.
    const password = 'lab-passphrase-24';
    expect(await wifiPanel.getByLabel(/Simulated networks/).inputValue()).toContain(`FieldLab, ${password},`);
    const setup = page.getByRole('region', { name: 'Wi-Fi setup' });
    const networks = setup.getByLabel('Networks the device sees');
    await expect.poll(() => networks.locator('option').allTextContents(), { timeout: 20_000 }).toContain('FieldLab (strong signal, password)');
    await networks.selectOption('FieldLab');
    await setup.getByLabel('Wi-Fi password').fill(password);
    await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
    const joined = setup.getByRole('status', { name: 'Wi-Fi result' });
    await joined.getByText('Saved with this device').waitFor({ timeout: 15_000 });
    expect(await joined.getByRole('link', { name: `${deviceUrls[0]}/` }).count()).toBe(1);
    await setup.scrollIntoViewIfNeeded();
    await screenshot(page, '2-wifi');

    // 3. The device appears in Devices: one click, then the demo secret.
    await joined.getByRole('link', { name: 'add it in Devices' }).click();
    const form = page.getByRole('form', { name: 'Add by address' });
    await expect.poll(() => form.getByLabel('Device address').inputValue()).toBe(`${deviceUrls[0]}/`);
    await form.getByLabel('Pairing secret').fill(SECRET);
    await form.getByRole('button', { name: 'Add device' }).click();
    const first = deviceCard(page, `FieldFlash Demo at ${new URL(deviceUrls[0]!).host}`);
    await first.waitFor({ timeout: 30_000 });
    expect(await first.innerText()).toMatch(/0\.9\.0/);
    await screenshot(page, '3-added');

    // 4. Update it over the LAN: the device confirms the demo release after its test boot.
    await first.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(first)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    const one = await deviceDocument(deviceUrls[0]!);
    expect(one).toMatchObject({ product: 'FieldFlash Demo', board: 'esp32-devkitc', version: '1.0.0', lastUpdate: { version: '1.0.0', outcome: 'confirmed' } });
    expect(one.slots).toMatchObject([
      { name: 'a', state: 'confirmed', version: '0.9.0' },
      { name: 'b', state: 'active', version: '1.0.0' },
    ]);
    // The device checked the demo publisher's signature itself, and took the counters from the signed manifest.
    expect(one.capabilities).toContain('signed-releases');
    expect(one.counterSources).toMatchObject({ sequence: 'signed-manifest' });
    // Slot b holds, byte for byte, the demo release's image for the second slot.
    const zip = await JSZip.loadAsync(readFileSync('public/demo/fieldflash-demo-1.0.0.zip'));
    const slot1 = await zip.file('ota/fieldflash-demo-slot1.bin')!.async('uint8array');
    expect(sha256(readFileSync(join(demoDir, 'device-1', 'slots', 'b.img')))).toBe(sha256(slot1));
    await first.scrollIntoViewIfNeeded();
    await screenshot(page, '4-updated');

    // 5. The second demo device, its health check set to fail as the README says: rolled back, with its reason.
    writeFileSync(join(demoDir, 'fail-health-check'), '');
    const add = page.getByRole('form', { name: 'Add by address' });
    await add.getByLabel('Device address').fill(deviceUrls[1]!);
    await add.getByLabel('Pairing secret').fill(SECRET);
    await add.getByRole('button', { name: 'Add device' }).click();
    const second = deviceCard(page, `FieldFlash Demo at ${new URL(deviceUrls[1]!).host}`);
    await second.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    const reason = `health check exited with 3: sensor bus not found (the demo fails this check while ${demoDir}/fail-health-check exists)`;
    expect(await updateResult(second)).toContain(`Rolled back: ${reason}`);
    const two = await deviceDocument(deviceUrls[1]!);
    expect(two).toMatchObject({ version: '0.9.0', lastUpdate: { version: '1.0.0', outcome: 'rolled-back', reason } });
    expect(two.slots[0]).toMatchObject({ name: 'a', state: 'active', version: '0.9.0' });
    await second.scrollIntoViewIfNeeded();
    await screenshot(page, '5-rolled-back');

    // The switch file removed, the next try is confirmed.
    rmSync(join(demoDir, 'fail-health-check'));
    await second.getByRole('button', { name: 'Dismiss' }).click();
    await second.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(second)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    expect((await deviceDocument(deviceUrls[1]!)).lastUpdate).toMatchObject({ version: '1.0.0', outcome: 'confirmed' });
  });

  test('npm start stopped with SIGTERM stops both demo devices: nothing left running, nothing answering', async () => {
    const running = processesMentioning(demoDir);
    // npm, its `sh -c`, the server and its demo devices.
    expect(running.filter((p) => /^\d+: \S*node scripts\/serve\.mjs /.test(p))).toHaveLength(1);
    expect(running.filter((p) => /^\d+: \S*node --import \S+ \S+\/scripts\/demo-agents\.ts /.test(p))).toHaveLength(1);
    // npm passes the signal to its `sh -c`, which ends without passing it on: the server notices and stops its devices.
    served.child.kill('SIGTERM');
    await served.exited;
    await expect.poll(() => processesMentioning(demoDir), { timeout: 10_000 }).toEqual([]);
    for (const url of deviceUrls) expect(await refusesConnections(url)).toBe(true);
  });
});

test('a demo port already taken is said plainly and the app is served all the same; SIGTERM stops what did start', async () => {
  const demoDir = mkdtempSync(join(tmpdir(), 'fieldflash-demo-'));
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const taken = (squatter.address() as { port: number }).port;
  const served = start('serve.mjs', ['--demo-ports', `${taken},0`, '--demo-dir', demoDir]);
  try {
    const appUrl = (await printed(served, /FieldFlash is ready at (http:\/\/\S+)/))[1]!;
    const banner = (await printed(served, /Demo devices on loopback[^\n]*\n[^\n]*\n[^\n]*\n/))[0];
    expect(banner).toContain(
      `demo device 1 not started: 127.0.0.1:${taken} is already in use (another npm start?). Free the port, or start with other ones: npm start -- --demo-ports 9070,9071`,
    );
    const second = /\n {2}(http:\/\/\S+) {2}FieldFlash Demo 0\.9\.0/.exec(banner)![1]!;
    expect((await fetch(appUrl)).status).toBe(200);
    expect((await deviceDocument(second)).version).toBe('0.9.0');

    // The server waits for its devices to stop before it exits.
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(processesMentioning(demoDir)).toEqual([]);
    expect(await refusesConnections(second)).toBe(true);
  } finally {
    served.child.kill('SIGKILL');
    await new Promise((resolve) => squatter.close(resolve));
    rmSync(demoDir, { recursive: true, force: true });
  }
});

test('a server killed outright takes its demo devices down: they notice it is gone and stop', async () => {
  const demoDir = mkdtempSync(join(tmpdir(), 'fieldflash-demo-'));
  const served = start('serve.mjs', ['--demo-ports', '0,0', '--demo-dir', demoDir]);
  try {
    const banner = (await printed(served, /Demo devices on loopback[^\n]*\n {2}(http:\/\/\S+) [^\n]*\n {2}(http:\/\/\S+) /));
    served.child.kill('SIGKILL');
    await served.exited;
    await expect.poll(() => processesMentioning(demoDir), { timeout: 10_000 }).toEqual([]);
    for (const url of [banner[1]!, banner[2]!]) expect(await refusesConnections(url)).toBe(true);
  } finally {
    served.child.kill('SIGKILL');
    rmSync(demoDir, { recursive: true, force: true });
  }
});
