// The Devices view under Chrome's real rules for reaching local devices, not from a page on the device's own origin.
// Chromium is told (--ip-address-space-overrides) that the app's own 127.0.0.1 ports are the public internet and
// that some agents' ports are a LAN, so Local Network Access applies to every request the app makes; the app is also
// served over https with a certificate made for the run, for mixed content. Each agent sits behind a relay that
// counts the bytes it is sent, so "nothing was sent" is measured at the device's port.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_ZIP_NAME } from '../../scripts/make-demo-release.ts';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.mjs';
import { launchBrowser } from './browser.ts';
import { addByAddress, deviceCard, deviceDocument, openDevicesView, PASSWORD, StallingRelay, startTestAgent, type TestAgent, updateResult } from './devices.support.ts';
import { releaseRow } from './library.support.ts';
import { trustDemoReleases } from './trust.support.ts';

/** A device on the LAN (Chromium is told the relay's port is `local`), reached by its mDNS name. */
const MDNS_NAME = 'field-7.local';
/** The same, by a name from the router's DNS: nothing tells the page it is on the LAN. */
const DNS_NAME = 'field-8.lan';

interface Device {
  agent: TestAgent;
  relay: StallingRelay;
  /** The address the technician enters. */
  url: string;
}

let browser: Browser;
let httpApp: StaticServer;
let httpsApp: StaticServer;
let onLoopback: Device;
let byMdnsName: Device;
let byDnsName: Device;
let silentPort: number;

async function device(hostName?: string): Promise<Device> {
  const agent = await startTestAgent(hostName ? { hostNames: [hostName] } : {});
  const relay = await StallingRelay.start(agent.agent.port);
  const port = new URL(relay.url).port;
  return { agent, relay, url: hostName ? `http://${hostName}:${port}` : relay.url };
}

/** A port on 127.0.0.1 that was free a moment ago: nothing listens there. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The base64 SHA-256 of a certificate's public key, as Chromium's SPKI allow-list takes it. */
function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** A key and certificate for 127.0.0.1, made for this run and thrown away with it. */
async function throwawayCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { key: pems.private, cert: pems.cert };
}

beforeAll(async () => {
  [onLoopback, byMdnsName, byDnsName] = [await device(), await device(MDNS_NAME), await device(DNS_NAME)];
  silentPort = await freePort();
  httpApp = await startStaticServer({ root: 'dist', port: 0 });
  const tls = await throwawayCertificate();
  httpsApp = await startStaticServer({ root: 'dist', port: 0, tls });
  const port = (d: Device) => new URL(d.relay.url).port;
  browser = await launchBrowser([
    `--ip-address-space-overrides=127.0.0.1:${httpApp.port}=public,127.0.0.1:${httpsApp.port}=public,127.0.0.1:${port(byMdnsName)}=local,127.0.0.1:${port(byDnsName)}=local`,
    `--host-resolver-rules=MAP ${MDNS_NAME} 127.0.0.1, MAP ${DNS_NAME} 127.0.0.1`,
    // Trusts this one certificate, as a real one would be: no certificate error, so the service worker registers too.
    `--ignore-certificate-errors-spki-list=${spkiHash(tls.cert)}`,
  ]);
});

afterAll(async () => {
  await browser?.close();
  await httpApp?.close();
  await httpsApp?.close();
  for (const d of [onLoopback, byMdnsName, byDnsName]) {
    await d?.relay.close();
    await d?.agent.agent.close();
  }
});

interface AppPage {
  context: BrowserContext;
  page: Page;
  origin: string;
  /** What the browser said in the console: its only account of why it blocked a request. */
  console: string[];
}

/** The app in a fresh profile, the demo release in its library, on the Devices view. */
async function openAppAt(server: StaticServer): Promise<AppPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const messages: string[] = [];
  page.on('console', (message) => messages.push(message.text()));
  await page.goto(server.url);
  // A page the browser trusts as it would a public FieldFlash: secure, with its service worker running.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await trustDemoReleases(page, 'FieldFlash Demo');
  await page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
  await openDevicesView(page);
  return { context, page, origin: new URL(server.url).origin, console: messages };
}

/** The technician answers Block to Chrome's question: Local Network Access refused for the app's origin. */
async function refuseLocalNetworkAccess({ context, page, origin }: AppPage): Promise<void> {
  const { targetInfo } = await (await context.newCDPSession(page)).send('Target.getTargetInfo');
  const session = await browser.newBrowserCDPSession();
  for (const name of ['local-network', 'loopback-network']) {
    await session.send('Browser.setPermission', { permission: { name }, setting: 'denied', origin, browserContextId: targetInfo.browserContextId });
  }
  await session.detach();
}

async function allowLocalNetworkAccess({ context, origin }: AppPage): Promise<void> {
  await context.grantPermissions(['local-network-access'], { origin });
}

/** The image the demo release links for a device's second slot, as the built app ships it. */
async function demoSlot1Image(): Promise<Buffer> {
  const zip = await JSZip.loadAsync(readFileSync(join('dist/demo', DEMO_ZIP_NAME)));
  return zip.file('ota/fieldflash-demo-slot1.bin')!.async('nodebuffer');
}

/**
 * Adds the device, updates it to the demo release with the transport left on Automatic, and checks the agent's slot b
 * holds the release's image and the card names the transport used.
 */
async function addAndUpdate(app: AppPage, d: Device): Promise<void> {
  expect((await addByAddress(app.page, d.url, PASSWORD)).added).toBe(true);
  const card = deviceCard(app.page, `FieldFlash Demo at ${new URL(d.url).host}`);
  expect(await card.getByLabel('Send updates over').inputValue()).toBe('auto');
  await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
  expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
  expect((await deviceDocument(d.agent.agent.url)).slots[1]).toMatchObject({ name: 'b', state: 'active', version: '1.0.0' });
  expect(readFileSync(join(d.agent.dir, 'slots', 'b.img')).equals(await demoSlot1Image())).toBe(true);
  await expect.poll(() => card.getByLabel('Last seen').innerText()).toMatch(/ over HTTP\.$/);
}

const ALLOW_HINT = 'What to do: Allow it in the site settings: click the icon left of the address bar, set Local network access to Allow, reload FieldFlash, then try again.';

describe('Local Network Access: the app on a public origin', () => {
  test('refused: the view says so and what to do, and nothing reaches the device on 127.0.0.1; allowed: it is added and updated', async () => {
    const app = await openAppAt(httpApp);
    try {
      await refuseLocalNetworkAccess(app);
      const d = onLoopback;
      expect(await addByAddress(app.page, d.url, PASSWORD)).toEqual({
        added: false,
        text:
          `Could not add the device at ${d.url} ` +
          `The browser did not let FieldFlash reach ${d.url}: the permission to reach programs on this computer (Local Network Access) was refused for this site. Nothing was sent to the device. ` +
          ALLOW_HINT,
      });
      expect(app.console).toContain(`Access to fetch at '${d.url}/fieldflash/v1/device' from origin '${app.origin}' has been blocked by CORS policy: Permission was denied for this request to access the \`loopback\` address space.`);
      expect(d.relay.passed).toBe(0);

      await allowLocalNetworkAccess(app);
      await addAndUpdate(app, d);

      // Refused again later: the check and the next update say so at once, with nothing sent and nothing retried.
      await refuseLocalNetworkAccess(app);
      const sentBefore = d.relay.passed;
      const card = deviceCard(app.page, `FieldFlash Demo at ${new URL(d.url).host}`);
      const refused = `The browser did not let FieldFlash reach ${d.url}: the permission to reach programs on this computer (Local Network Access) was refused for this site. Nothing was sent to the device.`;
      await card.getByRole('button', { name: `Check again: FieldFlash Demo at ${new URL(d.url).host}` }).click();
      await expect.poll(() => card.getByRole('status', { name: 'Reachability' }).innerText()).toMatch(`${refused} (checked `);
      expect(await card.getByRole('status', { name: 'Reachability' }).innerText()).toContain(ALLOW_HINT.replace('What to do: ', ''));
      await card.getByRole('button', { name: 'Dismiss' }).click();
      await card.getByRole('button', { name: 'Reinstall FieldFlash Demo 1.0.0' }).click();
      expect(await updateResult(card)).toBe(`Update to FieldFlash Demo 1.0.0 stopped: ${refused} ${ALLOW_HINT} Dismiss`);
      expect(d.relay.passed).toBe(sentBefore);
    } finally {
      await app.context.close();
    }
  });
});

describe('an app served over https and a device on plain http', () => {
  test('by its .local name: refused, the permission is named and nothing is sent; allowed, the update goes through', async () => {
    const app = await openAppAt(httpsApp);
    try {
      await refuseLocalNetworkAccess(app);
      const d = byMdnsName;
      expect(await addByAddress(app.page, d.url, PASSWORD)).toEqual({
        added: false,
        text:
          `Could not add the device at ${d.url} ` +
          `The browser did not let FieldFlash reach ${d.url}: the permission to reach devices on the local network (Local Network Access) was refused for this site. Nothing was sent to the device. ` +
          ALLOW_HINT,
      });
      expect(app.console).toContain(`Access to fetch at '${d.url}/fieldflash/v1/device' from origin '${app.origin}' has been blocked by CORS policy: Permission was denied for this request to access the \`local\` address space.`);
      expect(d.relay.passed).toBe(0);

      await allowLocalNetworkAccess(app);
      await addAndUpdate(app, d);
    } finally {
      await app.context.close();
    }
  });

  test('by a DNS name the page cannot place on the LAN: blocked as mixed content, permission refused or allowed, nothing sent', async () => {
    const app = await openAppAt(httpsApp);
    const d = byDnsName;
    const blocked = {
      added: false,
      text:
        `Could not add the device at ${d.url} ` +
        `The browser blocked the request to ${d.url} as mixed content: FieldFlash is open over https and the device answers over plain http. Nothing was sent to the device. ` +
        'What to do: Add the device by its IP address (e.g. http://192.168.1.40:8070) or its .local name: FieldFlash then tells the browser the device is on the local network, and the browser lets the request through once local network access is allowed.',
    };
    try {
      await refuseLocalNetworkAccess(app);
      expect(await addByAddress(app.page, d.url, PASSWORD)).toEqual(blocked);
      await allowLocalNetworkAccess(app);
      expect(await addByAddress(app.page, d.url, PASSWORD)).toEqual(blocked);
      expect(app.console).toContain(
        `Mixed Content: The page at '${app.origin}/#/devices' was loaded over HTTPS, but requested an insecure resource '${d.url}/fieldflash/v1/device'. This request has been blocked; the content must be served over HTTPS.`,
      );
      expect(d.relay.passed).toBe(0);
    } finally {
      await app.context.close();
    }
  });

  test('allowed, a port where nothing listens is told apart: the device did not answer', async () => {
    const app = await openAppAt(httpsApp);
    try {
      await allowLocalNetworkAccess(app);
      const url = `http://127.0.0.1:${silentPort}`;
      const outcome = await addByAddress(app.page, url, PASSWORD);
      expect(outcome.text).toMatch(`Could not add the device at ${url} No answer from ${url}. What to do: Check that the device is powered`);
    } finally {
      await app.context.close();
    }
  });
});
