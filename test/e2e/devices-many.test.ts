// Many devices at once in Chromium against real reference agents on 127.0.0.1: "Update selected" over HTTP and
// WebRTC together, the concurrency limit holding a device back until another ends, an agent killed with SIGKILL in
// the middle and restarted, a link cut and restored, an update sent now and applied at a chosen time, and the view
// with eight devices updating (screenshot in test-results/).
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { Probe } from '../../packages/conformance/src/probe.ts';
import { type AgentProcess, deviceDir } from '../integration/agent-support.ts';
import { openApp, type AppSession } from './browser.ts';
import {
  CuttableRelay, demoSlotImage, fieldReport, limitSpeed, selectDevices, slotBytes, spawnDemoAgent, updateSelected, updatesSummary,
} from './devices-many.support.ts';
import {
  addByAddress, deviceCard, deviceDocument, forgetAllDevices, openDevicesView, PASSWORD, startTestAgent, storedPairedDevices, type TestAgent, updateResult,
} from './devices.support.ts';
import { releaseRow } from './library.support.ts';
import { trustDemoReleases } from './trust.support.ts';

let app: AppSession;
const agents: TestAgent[] = [];
const processes: AgentProcess[] = [];
const CHUNK = 16 * 1024;

beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
  await trustDemoReleases(app.page, 'FieldFlash Demo');
  await app.page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(app.page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
});
afterAll(async () => app?.close());

beforeEach(async () => {
  // Each test starts from the default limit of updates at once.
  await app.page.evaluate(() => localStorage.removeItem('fieldflash-devices-concurrency'));
  await forgetAllDevices(app.page);
  await openDevicesView(app.page);
});
afterEach(async () => {
  for (const { agent } of agents.splice(0)) await agent.close();
  for (const { child } of processes.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function agent(options: Parameters<typeof startTestAgent>[0] = {}): Promise<TestAgent> {
  const started = await startTestAgent(options);
  agents.push(started);
  return started;
}

const progressOf = (label: string) => deviceCard(app.page, label).getByRole('status', { name: 'Update progress' });
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

describe('updating many devices', () => {
  test('three selected, one click: two over HTTP and one over WebRTC at the same time, each confirmed with the image in its slot', async () => {
    const { page } = app;
    // Every device holds its test boot until the test lets it end: all three there at once proves none waited.
    const gate = join(deviceDir(), 'health-check-may-end');
    const healthCheck = `while [ ! -e '${gate}' ]; do sleep 0.05; done`;
    const devices = [await agent({ healthCheck }), await agent({ healthCheck }), await agent({ healthCheck, webrtc: true })];
    for (const d of devices) expect(await addByAddress(page, d.agent.url, PASSWORD)).toMatchObject({ added: true });
    const rtc = devices[2]!;
    await deviceCard(page, rtc.label).getByLabel('Send updates over').selectOption('webrtc');
    await expect.poll(async () => (await storedPairedDevices(page)).find((d) => d.url === rtc.agent.url)?.transport).toBe('webrtc');

    await page.getByRole('checkbox', { name: 'Select all devices' }).check();
    for (const d of devices) expect(await page.getByRole('checkbox', { name: `Select ${d.label}` }).isChecked()).toBe(true);
    try {
      expect(await updateSelected(page)).toBe(`Started 3 updates: ${devices.map((d) => `${d.label} to 1.0.0`).join('; ')}.`);
      const stages = () => Promise.all(devices.map(async (d) => (await progressOf(d.label).innerText().catch(() => '')).split(':')[0]));
      await expect.poll(stages, { timeout: 30_000 }).toEqual(['Test boot', 'Test boot', 'Test boot']);
      expect(await updatesSummary(page)).toBe('0 confirmed, 0 rolled back, 0 failed, 3 updating, 0 waiting');
    } finally {
      writeFileSync(gate, '');
    }
    for (const d of devices) expect(await updateResult(deviceCard(page, d.label))).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    expect(await updatesSummary(page)).toBe('3 confirmed, 0 rolled back, 0 failed, 0 updating, 0 waiting');
    const image = await demoSlotImage('b');
    for (const d of devices) expect(slotBytes(d.dir, 'b').equals(image)).toBe(true);
    await expect.poll(() => deviceCard(page, rtc.label).getByLabel('Last seen').innerText()).toMatch(/ over WebRTC\.$/);
  });

  test('with a limit of one update at once, the second device waits until the first has its verdict, and says so', async () => {
    const { page } = app;
    const gate = join(deviceDir(), 'health-check-may-end');
    const log: Array<{ device: 'first' | 'second'; line: string }> = [];
    const first = await agent({ healthCheck: `while [ ! -e '${gate}' ]; do sleep 0.05; done`, log: (line) => log.push({ device: 'first', line }) });
    const second = await agent({ log: (line) => log.push({ device: 'second', line }) });
    await addByAddress(page, first.agent.url, PASSWORD);
    await addByAddress(page, second.agent.url, PASSWORD);
    const limit = page.getByLabel('Updates at once');
    expect(await limit.inputValue()).toBe('4');
    await limit.fill('1');
    await limit.press('Enter');
    // Kept for the next visit.
    await page.reload();
    expect(await page.getByLabel('Updates at once').inputValue()).toBe('1');

    await selectDevices(page, [first.label, second.label]);
    expect(await updateSelected(page)).toBe(`Started 2 updates: ${first.label} to 1.0.0; ${second.label} to 1.0.0.`);
    try {
      await expect.poll(async () => oneLine(await progressOf(second.label).innerText())).toMatch(/^Waiting \(1 of 1\): FieldFlash Demo 1\.0\.0 It starts when an update ahead of it ends/);
      // The first is held in its test boot: the second still waits, and its device has heard nothing.
      await expect.poll(() => progressOf(first.label).innerText(), { timeout: 30_000 }).toMatch(/^Test boot/);
      expect(oneLine(await progressOf(second.label).innerText())).toMatch(/^Waiting \(1 of 1\)/);
      expect(await updatesSummary(page)).toBe('0 confirmed, 0 rolled back, 0 failed, 1 updating, 1 waiting');
      expect(log.filter((e) => e.device === 'second' && /update to|committed/.test(e.line))).toEqual([]);
      expect(readdirSync(join(second.dir, 'uploads'))).toEqual([]);
    } finally {
      writeFileSync(gate, '');
    }
    expect(await updateResult(deviceCard(page, first.label))).toMatch(/^Confirmed/);
    expect(await updateResult(deviceCard(page, second.label))).toMatch(/^Confirmed/);
    expect(await updatesSummary(page)).toBe('2 confirmed, 0 rolled back, 0 failed, 0 updating, 0 waiting');
    // In that order on the devices too: the second's offer came after the first's verdict.
    const confirmedFirst = log.findIndex((e) => e.device === 'first' && /passed its health check: slot b confirmed/.test(e.line));
    const offeredSecond = log.findIndex((e) => e.device === 'second' && /update to 1\.0\.0/.test(e.line));
    expect(confirmedFirst).toBeGreaterThanOrEqual(0);
    expect(offeredSecond).toBeGreaterThan(confirmedFirst);
  });

  test('leaves out, with the reason, a device that no release fits and one that would need a downgrade', async () => {
    const { page } = app;
    const fits = await agent();
    const other = await agent({ product: 'demo-sensor' });
    const newer = await agent({ version: '2.0.0' });
    for (const d of [fits, other, newer]) await addByAddress(page, d.agent.url, PASSWORD);
    await page.getByRole('checkbox', { name: 'Select all devices' }).check();
    const outcome = await updateSelected(page);
    expect(outcome).toContain(`Started 1 update: ${fits.label} to 1.0.0. Left out:`);
    expect(outcome).toContain(`${other.label}: the library holds no release of demo-sensor. Add one in Library first.`);
    expect(outcome).toContain(
      `${newer.label}: the newest release that fits it, 1.0.0, is older than the 2.0.0 it runs. Downgrades are not sent to many devices at once: use its own Downgrade button, which asks first.`,
    );
    expect(await updateResult(deviceCard(page, fits.label))).toMatch(/^Confirmed/);
    for (const d of [other, newer]) expect((await deviceDocument(d.agent.url)).lastUpdate).toBeUndefined();
    expect(await deviceCard(page, newer.label).getByRole('status', { name: 'Update progress' }).count()).toBe(0);
  });
});

describe('an update that survives', () => {
  test('kill -9 of the agent in the middle of sending: restarted on the same folder and port, it resumes from the offset the device kept', async () => {
    const { page } = app;
    const dir = deviceDir();
    const lines: string[] = [];
    let device = await spawnDemoAgent(dir, 0, (line) => lines.push(line), ['--chunk-size', String(CHUNK)]);
    processes.push(device);
    const label = `FieldFlash Demo at 127.0.0.1:${device.port}`;
    await addByAddress(page, device.url, PASSWORD);
    await limitSpeed(page, label, 8);
    const card = deviceCard(page, label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    const bar = card.getByRole('progressbar', { name: 'Bytes the device has' });
    await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2 * CHUNK);
    const size = Number(await bar.getAttribute('max'));
    expect(Number(await bar.getAttribute('value'))).toBeLessThan(size);

    device.child.kill('SIGKILL');
    await device.exited;
    // The page keeps trying while the device is off, and says why.
    await expect.poll(async () => oneLine(await progressOf(label).innerText()), { timeout: 30_000 }).toMatch(/Trying again: /);
    lines.length = 0;
    device = await spawnDemoAgent(dir, device.port, (line) => lines.push(line));
    processes.push(device);

    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    const resumedAt = lines.map((l) => /update to 1\.0\.0 .* continuing at (\d+)$/.exec(l)).find(Boolean);
    expect(Number(resumedAt?.[1])).toBeGreaterThan(0);
    const [entry, ...others] = (await fieldReport(page)).filter((e) => e.address === device.url);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ result: 'confirmed', fromVersion: '0.9.0', toVersion: '1.0.0' });
    expect(entry!.bytesSent as number).toBeLessThan(2 * size);
    expect(slotBytes(dir, 'b').equals(await demoSlotImage('b'))).toBe(true);
  });

  test('a link cut in the middle of sending and restored: the update resumes where the device is and finishes', async () => {
    const { page } = app;
    const device = await agent({ chunkSize: CHUNK });
    const relay = await CuttableRelay.start(device.agent.port);
    try {
      const label = `FieldFlash Demo at ${new URL(relay.url).host}`;
      await addByAddress(page, relay.url, PASSWORD);
      await limitSpeed(page, label, 8);
      const card = deviceCard(page, label);
      await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
      const bar = card.getByRole('progressbar', { name: 'Bytes the device has' });
      await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 30_000 }).toBeGreaterThanOrEqual(2 * CHUNK);
      const size = Number(await bar.getAttribute('max'));

      await relay.cut();
      await expect.poll(async () => oneLine(await progressOf(label).innerText()), { timeout: 30_000 }).toMatch(/Trying again: /);
      expect(Number(await bar.getAttribute('value'))).toBeLessThan(size);
      await relay.restore();

      expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
      // Sent again from the start, the image alone would be `size` bytes through the restored link.
      expect(relay.passed).toBeLessThan(size);
      expect(slotBytes(device.dir, 'b').equals(await demoSlotImage('b'))).toBe(true);
    } finally {
      await relay.close();
    }
  });
});

describe('send now, apply later', () => {
  test('the card says when the update applies, across a reload, and shows the verdict once the device restarts into it', async () => {
    const { page } = app;
    const device = await agent();
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    // An hour from now, to the minute, as a technician picks it; the value is the browser's local time.
    const chosen = await page.evaluate(() => {
      const d = new Date(Date.now() + 3_600_000);
      d.setSeconds(0, 0);
      const two = (n: number) => String(n).padStart(2, '0');
      return { at: d.getTime(), value: `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}` };
    });
    // The device counts whole seconds from its reply, so the time it gives may be a second after the one chosen.
    const shown = await page.evaluate(
      (at) => [at, at + 1000].map((ms) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(ms)),
      chosen.at,
    );
    await card.getByLabel('Apply at').fill(chosen.value);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    const appliesAt = async () => {
      const text = oneLine(await progressOf(device.label).innerText());
      const match = /^Applies at (.+?): FieldFlash Demo 1\.0\.0 Sent and committed into slot b; the device restarts into it then/.exec(text);
      return match ? match[1] : text;
    };
    await expect.poll(appliesAt, { timeout: 30_000 }).toBeOneOf(shown);

    // The device holds the image, committed and waiting for the reboot it scheduled an hour ahead.
    const waiting = await deviceDocument(device.agent.url);
    expect(waiting.version).toBe('0.9.0');
    expect(waiting.slots[1]).toMatchObject({ name: 'b', state: 'pending', version: '1.0.0' });
    expect(waiting.scheduledReboot).toMatchObject({ sha256: waiting.slots[1]!.sha256 });
    expect(waiting.scheduledReboot!.inSeconds).toBeGreaterThan(3_500);
    const report = async () => (await fieldReport(page)).filter((e) => e.address === device.agent.url);
    // Recorded when the verdict comes, not before.
    expect(await report()).toEqual([]);

    // A reload forgets nothing: the card still says when, from what the page kept.
    await page.reload();
    await expect.poll(appliesAt, { timeout: 30_000 }).toBeOneOf(shown);

    // The time comes: the test brings the device's scheduled reboot forward to a second from now.
    const probe = new Probe(device.agent.url, PASSWORD);
    try {
      const session = await probe.login('apply-later-e2e');
      expect((await session.request('PUT', 'scheduled-reboot', { sha256: waiting.slots[1]!.sha256, inSeconds: 1 })).status).toBe(200);
    } finally {
      probe.close();
    }
    await expect.poll(() => deviceDocument(device.agent.url).then((d) => d.lastUpdate?.outcome, () => 'restarting'), { timeout: 30_000 }).toBe('confirmed');
    await card.getByRole('button', { name: `Check again: ${device.label}` }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\. Sent earlier; the device applied it at the restart it had scheduled\./);
    expect(slotBytes(device.dir, 'b').equals(await demoSlotImage('b'))).toBe(true);
    const [entry, ...others] = await report();
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ result: 'confirmed', fromVersion: '0.9.0', toVersion: '1.0.0' });
    expect(entry!.bytesSent as number).toBeGreaterThanOrEqual(waiting.slots[1]!.size!);
  });
});

describe('eight devices', () => {
  test('updating at once, four at a time: the view while they run and when they are done (screenshots)', async () => {
    const { page } = app;
    const devices: TestAgent[] = [];
    for (let i = 0; i < 8; i++) devices.push(await agent({ chunkSize: CHUNK }));
    for (const d of devices) await addByAddress(page, d.agent.url, PASSWORD);
    for (const d of devices) await limitSpeed(page, d.label, 8);
    await page.getByRole('checkbox', { name: 'Select all devices' }).check();
    expect(await updateSelected(page)).toMatch(/^Started 8 updates: /);

    // Four send while four wait their turn, each card with its own progress.
    const texts = () => Promise.all(devices.map(async (d) => oneLine(await progressOf(d.label).innerText().catch(() => ''))));
    await expect
      .poll(async () => {
        const now = await texts();
        return [now.filter((t) => /^Sending: FieldFlash Demo 1\.0\.0 \d+ KiB of 66 KiB · \d+(\.\d)? KiB\/s · \d+ s left/.test(t)).length, now.filter((t) => /^Waiting \(\d of 4\)/.test(t)).length];
      }, { timeout: 30_000 })
      .toEqual([4, 4]);
    if (!existsSync('test-results')) mkdirSync('test-results');
    await page.screenshot({ path: 'test-results/devices-8.png', fullPage: true });

    for (const d of devices) expect(await updateResult(deviceCard(page, d.label))).toMatch(/^Confirmed/);
    expect(await updatesSummary(page)).toBe('8 confirmed, 0 rolled back, 0 failed, 0 updating, 0 waiting');
    await page.screenshot({ path: 'test-results/devices-8-done.png', fullPage: true });
  });
});
