// The Devices view in Chromium against real reference agents on 127.0.0.1: adding a device (address and secret,
// pairing link, a board set up over USB), the plain messages for a wrong secret, a silent address and a server that
// is not a device, what is kept (a non-extractable key, never the secret), updating from the library to the
// device's own verdict, refusals before a byte is sent, the downgrade question, and forgetting a device.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { appPairingLink, generatePairingCode, pairingLink } from '@fieldflash/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import {
  addByAddress, addByLink, DEMO, deviceCard, deviceDocument, forgetAllDevices, openDevicesView, PASSWORD, StallingRelay, startTestAgent,
  storedPairedDevices, type TestAgent, updateResult,
} from './devices.support.ts';
import { deviceDir } from '../integration/agent-support.ts';
import { MidRequestCut, partialHolds } from '../integration/mid-request-cut.ts';
import { demoSlotImage } from './devices-many.support.ts';
import { connectSimulated, flash, openFlashView } from './flash.support.ts';
import { confirmDeleting, pickFiles, releaseRow, zipFiles } from './library.support.ts';
import { pseudoRandomBytes, writeAppImage, writeNativeManifest } from '../../packages/bundle/src/index.ts';
import { trustDemoReleases } from './trust.support.ts';

const WIFI_PASSWORD = 'e2e-FieldLab-pass-42';
let app: AppSession;
const agents: TestAgent[] = [];

beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
  await trustDemoReleases(app.page, DEMO.product);
  await app.page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(app.page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
});
afterAll(async () => app?.close());

beforeEach(async () => {
  await forgetAllDevices(app.page);
  await openDevicesView(app.page);
});
afterEach(async () => {
  for (const { agent } of agents.splice(0)) await agent.close();
});

async function agent(options: Parameters<typeof startTestAgent>[0] = {}): Promise<TestAgent> {
  const started = await startTestAgent(options);
  agents.push(started);
  return started;
}

/** A release zip of the demo product with one ESP32 app image for either slot and the distribution policy `appliesTo`. */
async function policyReleaseZip(version: string, appliesTo: string): Promise<Buffer> {
  const app = await writeAppImage({ chipFamily: 'ESP32', projectName: 'fieldflash-demo', version, flashSizeMiB: 4, payload: pseudoRandomBytes(20_000, 7) });
  const files = [{ path: 'ota/fieldflash-demo.bin', data: app, role: 'app' as const }];
  const manifest = await writeNativeManifest({
    product: DEMO.product, version, sequence: 2, securityVersion: 0, appliesTo,
    targets: [{ chipFamily: 'ESP32', board: DEMO.board, ota: { image: 'ota/fieldflash-demo.bin' } }],
    files,
  });
  return zipFiles([{ path: 'fieldflash.json', bytes: Buffer.from(manifest) }, ...files.map((f) => ({ path: f.path, bytes: Buffer.from(f.data) }))]);
}

/** The pairing key the agent derived and keeps (its auth.json): it must never turn up in the page's records. */
function agentKey(dir: string): { hex: string; base64: string; salt: string } {
  const auth = JSON.parse(readFileSync(join(dir, 'auth.json'), 'utf8')) as { key: string; salt: string };
  return { base64: auth.key, hex: Buffer.from(auth.key, 'base64').toString('hex'), salt: auth.salt };
}

describe('adding a device', () => {
  test('by address and pairing secret: the card shows what the device says, and the record holds a non-extractable key, no secret', async () => {
    const { page } = app;
    const device = await agent();
    expect(await addByAddress(page, device.agent.url, PASSWORD)).toEqual({ added: true, text: `Added ${device.label}. Its key is kept on this laptop; the secret is not.` });

    const card = deviceCard(page, device.label);
    await expect.poll(() => card.getByRole('status', { name: 'Reachability' }).innerText()).toMatch(`Answers at ${device.agent.url}`);
    const facts = (await card.locator('.device-facts').innerText()).replace(/\s+/g, ' ');
    expect(facts).toContain('Product FieldFlash Demo Chip ESP32 Board esp32-devkitc Hardware revision 1.0 Version 0.9.0 Security version 0');
    const slots = card.getByRole('table', { name: 'Slots' });
    expect((await slots.getByRole('row', { name: /^a / }).innerText()).replace(/\s+/g, ' ')).toBe('a active (running) 0.9.0');
    expect((await slots.getByRole('row', { name: /^b / }).innerText()).replace(/\s+/g, ' ')).toBe('b empty —');
    expect(await card.getByLabel('Last seen').innerText()).toMatch(/^Last seen .* over HTTP\.$/);

    const [record, ...others] = await storedPairedDevices(page);
    expect(others).toEqual([]);
    expect(record).toMatchObject({ id: (await deviceDocument(device.agent.url)).id, url: device.agent.url, salt: agentKey(device.dir).salt });
    expect(record!.key).toEqual({ isCryptoKey: true, extractable: false, algorithm: 'HMAC', usages: ['sign'], exportRefused: true });
    const key = agentKey(device.dir);
    for (const text of record!.texts) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(key.hex);
      expect(text).not.toContain(key.base64);
    }
    // Nothing typed stays in the form once the device is added.
    expect(await page.getByLabel('Pairing secret').inputValue()).toBe('');
  });

  test('by pasting the pairing link the agent prints', async () => {
    const { page } = app;
    const code = generatePairingCode();
    const device = await agent({ password: code });
    expect(await addByLink(page, pairingLink(device.agent.url, code))).toMatchObject({ added: true });
    await deviceCard(page, device.label).waitFor();
    const [record] = await storedPairedDevices(page);
    for (const text of record!.texts) expect(text).not.toContain(code);
  });

  test('by opening an app link whose fragment carries the pairing (a QR code on a label)', async () => {
    const { page } = app;
    const code = generatePairingCode();
    const device = await agent({ password: code });
    await page.goto(appPairingLink(app.url, device.agent.url, code));
    const form = page.getByRole('form', { name: 'Add by pairing link' });
    await expect.poll(() => form.getByLabel('Pairing link').inputValue()).toContain('#pair=');
    // The code leaves the address bar at once; it is only in the form.
    expect(new URL(page.url()).hash).toBe('#/devices');
    await form.getByRole('button', { name: 'Add from link' }).click();
    await deviceCard(page, device.label).waitFor();
  });

  test('in one click from the Flash view, after the board joined Wi-Fi over USB and reported its URL; only the secret is asked for', async () => {
    const { page } = app;
    const device = await agent();
    await openFlashView(page);
    await connectSimulated(page, { chip: 'ESP32', flashSize: '4 MB', wireTime: false });
    const wifiPanel = page.getByRole('form', { name: 'Simulated Wi-Fi' });
    const folded = page.locator('details:not([open])', { has: page.locator('form[aria-label="Simulated Wi-Fi"]') });
    if ((await folded.count()) > 0) await folded.first().locator('summary').first().click();
    await wifiPanel.getByLabel(/Simulated networks/).fill(`FieldLab, ${WIFI_PASSWORD}, -45`);
    await wifiPanel.getByLabel('URL the board reports').fill(`${device.agent.url}/`);
    await wifiPanel.getByRole('button', { name: 'Apply Wi-Fi settings' }).click();
    await wifiPanel.getByText('Applied').waitFor();
    await flash(page, { release: /FieldFlash Demo/, erase: 'erase-all', baud: 921600 });

    const setup = page.getByRole('region', { name: 'Wi-Fi setup' });
    const networks = setup.getByLabel('Networks the device sees');
    await expect.poll(() => networks.locator('option').allTextContents(), { timeout: 20_000 }).toContain('FieldLab (strong signal, password)');
    await networks.selectOption('FieldLab');
    await setup.getByLabel('Wi-Fi password').fill(WIFI_PASSWORD);
    await setup.getByRole('button', { name: 'Connect to Wi-Fi' }).click();
    const joined = setup.getByRole('status', { name: 'Wi-Fi result' });
    await joined.getByText('Saved with this device').waitFor({ timeout: 15_000 });

    await joined.getByRole('link', { name: 'add it in Devices' }).click();
    const form = page.getByRole('form', { name: 'Add by address' });
    await expect.poll(() => form.getByLabel('Device address').inputValue()).toBe(`${device.agent.url}/`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('pairing-secret');
    expect(await form.innerText()).toMatch(/Set up over USB as "fieldflash-demo-[0-9a-f]+" \(ESP32, MAC ([0-9a-f]{2}:){5}[0-9a-f]{2}\)/);
    await form.getByLabel('Pairing secret').fill(PASSWORD);
    await form.getByRole('button', { name: 'Add device' }).click();
    await deviceCard(page, device.label).waitFor();
    // Once paired, the board is no longer offered as one to add.
    expect(await page.getByRole('button', { name: `Add the board at ${device.agent.url}/` }).count()).toBe(0);
  });

  test('a wrong secret is refused in words, and nothing is kept', async () => {
    const { page } = app;
    const device = await agent();
    const outcome = await addByAddress(page, device.agent.url, 'not the secret of this device');
    expect(outcome.added).toBe(false);
    expect(outcome.text).toContain(`The pairing secret is wrong: the device at ${device.agent.url} did not accept it.`);
    expect(outcome.text).toContain("What to do: Check the pairing code on the device's label");
    expect(await storedPairedDevices(page)).toEqual([]);
  });

  test('an address where nothing answers says so, with the address', async () => {
    const { page } = app;
    const device = await agent();
    await device.agent.close();
    agents.splice(agents.indexOf(device), 1);
    const outcome = await addByAddress(page, device.agent.url, PASSWORD);
    expect(outcome).toMatchObject({ added: false });
    expect(outcome.text).toContain(`No answer from ${device.agent.url}.`);
    expect(outcome.text).toContain('What to do: Check that the device is powered');
  });

  test('an address where a web server that is not a FieldFlash device answers says so', async () => {
    const { page } = app;
    const server: Server = createServer((_request, response) => response.end('<h1>Router admin</h1>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const outcome = await addByAddress(page, url, PASSWORD);
      expect(outcome).toMatchObject({ added: false });
      expect(outcome.text).toContain(`${url} answers, but not as a FieldFlash device`);
      expect(outcome.text).toContain('port 8070');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a paired device', () => {
  test('that stops answering says so in words with its address, when checked again and when the view opens', async () => {
    const { page } = app;
    const device = await agent();
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await device.agent.close();
    agents.splice(agents.indexOf(device), 1);
    await card.getByRole('button', { name: `Check again: ${device.label}` }).click();
    const reach = card.getByRole('status', { name: 'Reachability' });
    await expect.poll(() => reach.innerText()).toMatch(`No answer from ${device.agent.url}.`);
    await page.reload();
    await expect.poll(() => deviceCard(page, device.label).getByRole('status', { name: 'Reachability' }).innerText()).toMatch(`No answer from ${device.agent.url}.`);
  });

  test('whose address another device answers at now is not taken for it', async () => {
    const { page } = app;
    const first = await agent();
    await addByAddress(page, first.agent.url, PASSWORD);
    const card = deviceCard(page, first.label);
    await first.agent.close();
    agents.splice(agents.indexOf(first), 1);
    const other = await agent({ port: first.agent.port });
    const otherId = (await deviceDocument(other.agent.url)).id;
    await card.getByRole('button', { name: `Check again: ${first.label}` }).click();
    await expect
      .poll(() => card.getByRole('status', { name: 'Reachability' }).innerText())
      .toMatch(`Another device answers at ${first.agent.url} now (FieldFlash Demo, id ${otherId}).`);
    // What the card shows is still what the paired device last said, not the stranger's document.
    expect(await card.locator('.device-facts').innerText()).not.toContain(otherId);
  });

  test('is updated from the library to the demo release, confirmed by the device in slot b', async () => {
    const { page } = app;
    const device = await agent();
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);

    const document = await deviceDocument(device.agent.url);
    expect(document.version).toBe('1.0.0');
    expect(document.slots).toMatchObject([
      { name: 'a', state: 'confirmed', version: '0.9.0' },
      { name: 'b', state: 'active', version: '1.0.0' },
    ]);
    expect(document.lastUpdate).toMatchObject({ version: '1.0.0', outcome: 'confirmed' });
    // The card shows the device's new state, read back from it.
    expect(await card.getByLabel('Last update').innerText()).toBe('Last update: 1.0.0 confirmed.');
    expect((await card.getByRole('table', { name: 'Slots' }).getByRole('row', { name: /^b / }).innerText()).replace(/\s+/g, ' ')).toBe('b active (running) 1.0.0');
  });

  test("is updated over the browser's own WebRTC data channel when chosen, and says it was last seen over WebRTC", async () => {
    const { page } = app;
    const device = await agent({ webrtc: true });
    // HTTP goes through a relay that counts it; the data channel goes straight to the agent.
    const relay = await StallingRelay.start(device.agent.port);
    try {
      const label = `FieldFlash Demo at ${new URL(relay.url).host}`;
      await addByAddress(page, relay.url, PASSWORD);
      const card = deviceCard(page, label);
      await card.getByLabel('Send updates over').selectOption('webrtc');
      await expect.poll(async () => (await storedPairedDevices(page))[0]?.transport).toBe('webrtc');
      relay.open();
      await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
      expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
      const slotB = (await deviceDocument(device.agent.url)).slots[1]!;
      expect(slotB).toMatchObject({ name: 'b', state: 'active', version: '1.0.0' });
      // Login, signaling, offer, commit and reboot went over HTTP; the image did not.
      expect(relay.passed).toBeLessThan(slotB.size!);
      await expect.poll(() => card.getByLabel('Last seen').innerText()).toMatch(/ over WebRTC\.$/);
    } finally {
      await relay.close();
    }
  });

  test('keeps to the speed limit set for the device, showing speed and time left while it sends', async () => {
    const { page } = app;
    const device = await agent({ chunkSize: 16 * 1024 });
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByLabel('Speed limit (KiB/s)').fill('16');
    await card.getByLabel('Speed limit (KiB/s)').press('Enter');
    await expect.poll(async () => (await storedPairedDevices(page))[0]?.throttleKiBps).toBe(16);
    const started = performance.now();
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    const progress = card.getByRole('status', { name: 'Update progress' });
    await expect.poll(() => progress.innerText(), { timeout: 10_000 }).toMatch(/^Sending: FieldFlash Demo 1\.0\.0\s+\d+ KiB of 66 KiB · \d+(\.\d)? KiB\/s · \d+ s left · into slot b$/);
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    // Five 16 KiB chunks at 16 KiB/s: the last may not start before 4 s have passed.
    expect(performance.now() - started).toBeGreaterThanOrEqual(4_000);
  });

  test('shows the phase and the bytes the device holds while it runs: here its test boot, held until the test lets it end', async () => {
    const { page } = app;
    const gate = join(deviceDir(), 'health-check-may-end');
    const device = await agent({ healthCheck: `while [ ! -e '${gate}' ]; do sleep 0.05; done` });
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    const progress = card.getByRole('status', { name: 'Update progress' });
    try {
      await expect.poll(() => progress.innerText(), { timeout: 30_000 }).toMatch(/^Test boot: the device restarts into the new image and runs its health check: FieldFlash Demo 1\.0\.0/);
      expect((await progress.innerText()).replace(/\s+/g, ' ')).toMatch(/ (\d+(\.\d)? KiB) of \1 · into slot b$/);
      expect(await card.getByRole('button', { name: `Forget ${device.label}` }).isDisabled()).toBe(true);
      // The device restarts into its test boot (off the network for a moment) and stays there until the gate opens.
      const slotB = () => deviceDocument(device.agent.url).then((d) => `${d.slots[1]!.state} ${d.slots[1]!.version}`, () => 'restarting');
      await expect.poll(slotB, { timeout: 30_000 }).toBe('pending 1.0.0');
      expect(await progress.innerText()).toMatch(/^Test boot/);
    } finally {
      writeFileSync(gate, '');
    }
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
  });

  test('picks an update cut short by a page reload up again, from the offset the device reports', async () => {
    const { page } = app;
    const device = await agent({ chunkSize: 16 * 1024, window: 2 });
    const relay = await StallingRelay.start(device.agent.port);
    try {
      const label = `FieldFlash Demo at ${new URL(relay.url).host}`;
      await addByAddress(page, relay.url, PASSWORD);
      const card = deviceCard(page, label);
      // Part of the image reaches the device, then the link stalls: the page waits with the update half done.
      relay.stallAfter(40 * 1024);
      await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
      const image = await demoSlotImage('b');
      await partialHolds(device.dir, createHash('sha256').update(image).digest('hex'), 16 * 1024);
      const bar = card.getByRole('progressbar', { name: 'Bytes the device has' });
      const size = Number(await bar.getAttribute('max'));
      expect(size).toBe(image.length);
      expect(Number(await bar.getAttribute('value'))).toBeLessThan(size);

      await page.reload();
      relay.open();
      expect(await updateResult(deviceCard(page, label))).toMatch(
        /^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\. Picked up again after the page was reloaded or closed; the device continued from what it had\./,
      );
      // Sent again from the start, the image alone would be `size` bytes; resumed, the rest and a few requests.
      expect(relay.passed).toBeLessThan(size);
      expect((await deviceDocument(device.agent.url)).slots[1]).toMatchObject({ name: 'b', state: 'active', version: '1.0.0' });
      // Ended here: nothing is left to pick up at the next visit.
      await page.reload();
      await deviceCard(page, label).getByRole('status', { name: 'Reachability' }).getByText(/^Answers at/).waitFor();
      expect(await deviceCard(page, label).getByRole('status', { name: 'Update result' }).count()).toBe(0);
    } finally {
      await relay.close();
    }
  });

  test('picks up an update reloaded between the commit and the reboot: the committed image is rebooted into and confirmed', async () => {
    const { page } = app;
    const device = await agent();
    // The reboot request's head reaches the device, its body never does: the image is committed, the reboot not asked.
    const relay = await MidRequestCut.start(device.agent.port, 'POST /fieldflash/v1/reboot ', 0);
    try {
      const label = `FieldFlash Demo at ${new URL(relay.url).host}`;
      await addByAddress(page, relay.url, PASSWORD);
      await deviceCard(page, label).getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
      await relay.reached;
      const committed = await deviceDocument(device.agent.url);
      expect(committed.lastUpdate).toMatchObject({ version: '1.0.0', outcome: 'pending' });
      expect(committed.slots[1]).toMatchObject({ name: 'b', state: 'pending', version: '1.0.0' });

      relay.cut();
      await page.reload();
      // Not a wait for a verdict that cannot come: the device is asked to reboot, and confirms.
      expect(await updateResult(deviceCard(page, label))).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\. Picked up again after the page was reloaded or closed/);
      expect((await deviceDocument(device.agent.url)).slots[1]).toMatchObject({ name: 'b', state: 'active', version: '1.0.0' });
    } finally {
      await relay.close();
    }
  });

  test("reads the verdict of an update the device finished while the page was gone, and sends nothing again", async () => {
    const { page } = app;
    const device = await agent();
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed/);
    const after = await deviceDocument(device.agent.url);
    // As a page closed after the commit leaves its record: the update marked as running, the device having none before.
    const releaseId = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const open = indexedDB.open('fieldflash');
          open.onsuccess = () => {
            const tx = open.result.transaction(['pairedDevices', 'releases'], 'readwrite');
            const devices = tx.objectStore('pairedDevices');
            tx.objectStore('releases').getAll().onsuccess = (event) => {
              const release = ((event.target as IDBRequest).result as Array<{ id: string; product: string }>).find((r) => r.product === 'FieldFlash Demo')!;
              devices.getAll().onsuccess = (e) => {
                const [record] = (e.target as IDBRequest).result as Array<Record<string, unknown>>;
                devices.put({ ...record, updateInProgress: { releaseId: release.id, releaseName: 'FieldFlash Demo 1.0.0', downgrade: false, startedAt: Date.now() } });
                tx.oncomplete = () => resolve(release.id);
              };
            };
            tx.onerror = () => reject(tx.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    expect(releaseId).toMatch(/^[0-9a-f]{64}$/);
    await page.reload();
    expect(await updateResult(deviceCard(page, device.label))).toMatch(
      /^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\. Picked up again after the page was reloaded or closed; the device had finished the update meanwhile, and nothing was sent again\./,
    );
    // Sent again, the image would have gone to slot a, now the inactive one.
    expect(await deviceDocument(device.agent.url)).toEqual(after);
    expect(readdirSync(join(device.dir, 'uploads')).length).toBe(0);
  });

  test('whose health check fails is shown rolled back, with the reason the device gave', async () => {
    const { page } = app;
    const device = await agent({ healthCheck: 'echo "sensor bus not found" >&2; exit 3' });
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(card)).toMatch(/^Rolled back: health check exited with 3: sensor bus not found/);

    const document = await deviceDocument(device.agent.url);
    expect(document.version).toBe('0.9.0');
    expect(document.slots[0]).toMatchObject({ name: 'a', state: 'active', version: '0.9.0' });
    expect(document.lastUpdate).toMatchObject({ version: '1.0.0', outcome: 'rolled-back', reason: expect.stringContaining('sensor bus not found') });
    expect(await card.getByLabel('Last update').innerText()).toMatch(/^Last update: 1\.0\.0 rolled back: health check exited with 3: sensor bus not found/);
  });

  test('of another product is offered no update: the release says why before a byte is sent', async () => {
    const { page } = app;
    const device = await agent({ product: 'demo-sensor' });
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    const release = card.getByRole('list', { name: 'Releases for this device' }).getByRole('listitem').filter({ hasText: 'FieldFlash Demo 1.0.0' });
    expect((await release.innerText()).replace(/\s+/g, ' ')).toContain(
      'Does not fit: FieldFlash Demo 1.0.0 is a release of FieldFlash Demo; the device runs demo-sensor. Pick a release of demo-sensor.',
    );
    expect(await release.getByRole('button').count()).toBe(0);
    // The device heard nothing of it: no upload begun, no update recorded.
    expect(readdirSync(join(device.dir, 'uploads')).length).toBe(0);
    expect((await deviceDocument(device.agent.url)).lastUpdate).toBeUndefined();
  });

  test("whose version a release's appliesTo range leaves out is offered no update of it, and told why; a device inside the range is", async () => {
    const { page } = app;
    const zip = await policyReleaseZip('1.1.0', '>=1.0.0 <2.0.0');
    await page.getByRole('link', { name: 'Library', exact: true }).click();
    expect(await pickFiles(page, 'fieldflash-demo-1.1.0.zip', zip)).toBe('added');
    try {
      await releaseRow(page, 'FieldFlash Demo 1.1.0').getByRole('button', { name: 'Details of FieldFlash Demo 1.1.0' }).click();
      const details = page.getByRole('dialog', { name: 'FieldFlash Demo 1.1.0' });
      expect(await details.innerText()).toMatch(/Applies to\s+devices running >=1\.0\.0 <2\.0\.0/);
      await details.getByRole('button', { name: 'Close' }).click();
      await openDevicesView(page);
      const outside = await agent();
      const inside = await agent({ version: '1.0.0' });
      await addByAddress(page, outside.agent.url, PASSWORD);
      await addByAddress(page, inside.agent.url, PASSWORD);
      const release = deviceCard(page, outside.label).getByRole('list', { name: 'Releases for this device' }).getByRole('listitem').filter({ hasText: 'FieldFlash Demo 1.1.0' });
      expect((await release.innerText()).replace(/\s+/g, ' ')).toContain(
        'Does not fit: FieldFlash Demo 1.1.0 applies to devices running >=1.0.0 <2.0.0; this one runs 0.9.0.',
      );
      expect(await release.getByRole('button').count()).toBe(0);
      // The demo release, without a policy, is still offered to the same device.
      await deviceCard(page, outside.label).getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).waitFor();
      await deviceCard(page, inside.label).getByRole('button', { name: 'Update to FieldFlash Demo 1.1.0' }).waitFor();
      expect(readdirSync(join(outside.dir, 'uploads')).length).toBe(0);
      expect((await deviceDocument(outside.agent.url)).lastUpdate).toBeUndefined();
    } finally {
      await page.getByRole('link', { name: 'Library', exact: true }).click();
      await releaseRow(page, 'FieldFlash Demo 1.1.0').getByRole('button', { name: 'Delete FieldFlash Demo 1.1.0' }).click();
      await confirmDeleting(page, 'FieldFlash Demo 1.1.0').getByRole('button', { name: 'Delete release' }).click();
      await releaseRow(page, 'FieldFlash Demo 1.1.0').waitFor({ state: 'detached' });
    }
  });

  test('running a newer version asks before a downgrade; keeping sends nothing, confirming sends it with force', async () => {
    const { page } = app;
    const device = await agent({ version: '2.0.0' });
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: 'Downgrade to FieldFlash Demo 1.0.0' }).click();
    const question = page.getByRole('alertdialog', { name: 'Confirm downgrading to FieldFlash Demo 1.0.0' });
    expect(await question.innerText()).toContain('The device runs 2.0.0; 1.0.0 is older.');
    await question.getByRole('button', { name: 'Keep the current version' }).click();
    await question.waitFor({ state: 'detached' });
    expect((await deviceDocument(device.agent.url)).lastUpdate).toBeUndefined();

    await card.getByRole('button', { name: 'Downgrade to FieldFlash Demo 1.0.0' }).click();
    await question.getByRole('button', { name: 'Downgrade to 1.0.0' }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    expect((await deviceDocument(device.agent.url)).version).toBe('1.0.0');
  });

  test('given a new pairing secret, refuses the kept key in words; adding it again with the new secret updates it', async () => {
    const { page } = app;
    const first = await agent();
    await addByAddress(page, first.agent.url, PASSWORD);
    const card = deviceCard(page, first.label);
    await card.waitFor();
    // The same device (same folder, same address) restarted with a new secret: it derives keys with a new salt.
    await first.agent.close();
    agents.splice(agents.indexOf(first), 1);
    const secret = generatePairingCode();
    const again = await agent({ dir: first.dir, port: first.agent.port, password: secret });
    expect(again.agent.url).toBe(first.agent.url);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    const result = await updateResult(card);
    expect(result).toContain("The device's pairing secret has changed since this key was kept");
    expect(result).toContain('What to do: Add the device again with its new pairing secret');
    expect((await deviceDocument(again.agent.url)).lastUpdate).toBeUndefined();

    expect(await addByAddress(page, again.agent.url, secret)).toMatchObject({ added: true });
    expect(await storedPairedDevices(page)).toHaveLength(1);
    await card.getByRole('button', { name: 'Dismiss' }).click();
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
  });

  test('can be forgotten after a confirmation, key and all', async () => {
    const { page } = app;
    const device = await agent();
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: `Forget ${device.label}` }).click();
    const question = page.getByRole('alertdialog', { name: `Confirm forgetting ${device.label}` });
    await question.getByRole('button', { name: 'Keep it' }).click();
    expect(await storedPairedDevices(page)).toHaveLength(1);
    await card.getByRole('button', { name: `Forget ${device.label}` }).click();
    await question.getByRole('button', { name: 'Forget device' }).click();
    await card.waitFor({ state: 'detached' });
    expect(await storedPairedDevices(page)).toEqual([]);
  });

  test('two devices side by side, one updated and one rolled back (screenshot)', async () => {
    const { page } = app;
    const first = await agent();
    const second = await agent({ healthCheck: 'echo "sensor bus not found" >&2; exit 3' });
    await addByAddress(page, first.agent.url, PASSWORD);
    await addByAddress(page, second.agent.url, PASSWORD);
    await deviceCard(page, first.label).getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    await deviceCard(page, second.label).getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(deviceCard(page, first.label))).toMatch(/^Confirmed/);
    expect(await updateResult(deviceCard(page, second.label))).toMatch(/^Rolled back/);
    await page.screenshot({ path: process.env.DEVICES_SCREENSHOT ?? '/tmp/devices-2.png', fullPage: true });
  });
});
