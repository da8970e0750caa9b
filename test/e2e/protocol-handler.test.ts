// The installed app handles web+fieldflash:// links, the pairing links a device prints and its label's QR code
// carries: Chromium reads the handler from the manifest, and the address it opens (the link escaped into
// /#pair=%s) shows the Devices view with the pairing form filled, ready to add the device.
import { pairingLink } from '@fieldflash/protocol';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { addOutcome, PASSWORD, startTestAgent, type TestAgent } from './devices.support.ts';

let app: AppSession;
let device: TestAgent;

beforeAll(async () => {
  app = await openApp();
  device = await startTestAgent();
});
afterAll(async () => {
  await device?.agent.close();
  await app?.close();
});

test('the manifest declares a protocol handler for web+fieldflash, and Chromium accepts it', async () => {
  const cdp = await app.page.context().newCDPSession(app.page);
  const { manifest, errors } = (await cdp.send('Page.getAppManifest', {})) as unknown as {
    manifest?: { protocolHandlers?: Array<{ protocol: string; url: string }> };
    errors: Array<{ message: string }>;
  };
  await cdp.detach();
  expect(errors).toEqual([]);
  expect(manifest?.protocolHandlers).toEqual([{ protocol: 'web+fieldflash', url: `${new URL(app.url).origin}/#pair=%s` }]);
});

test("opening the handler's address with a device's pairing link fills the pairing form, and the device is added from it", async () => {
  const { page } = app;
  const link = pairingLink(device.agent.url, PASSWORD);
  await page.goto('about:blank');
  // What the browser opens for the link: the handler's URL with %s replaced by the link, escaped as a query value.
  await page.goto(`${new URL(app.url).origin}/#pair=${encodeURIComponent(link)}`);
  const form = page.getByRole('form', { name: 'Add by pairing link' });
  await expect.poll(() => form.getByLabel('Pairing link').inputValue()).toBe(link);
  // The code goes into the form, not the history: the view replaces the address once it has shown (an effect).
  await expect.poll(() => new URL(page.url()).hash).toBe('#/devices');
  await form.getByRole('button', { name: 'Add from link' }).click();
  expect(await addOutcome(page)).toMatchObject({ added: true, text: `Added ${device.label}. Its key is kept on this laptop; the secret is not.` });
});
