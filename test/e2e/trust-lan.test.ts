// Signed releases over the LAN: an unsigned release is held back on a device's card and left out of "Update
// selected", with the way to allow it right there; and a library copy changed in IndexedDB is refused right before
// it would be sent, the device's slot left as it was.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import { selectDevices, updateSelected } from './devices-many.support.ts';
import { addByAddress, DEMO, deviceCard, openDevicesView, PASSWORD, startTestAgent, type TestAgent, updateResult } from './devices.support.ts';
import { pickFiles } from './library.support.ts';
import { alterStoredFile, nativeReleaseZip, type ReleaseZip } from './trust.support.ts';

const NAME = `${DEMO.product} 1.2.0`;
let app: AppSession;
let device: TestAgent;
let release: ReleaseZip;

beforeAll(async () => {
  app = await openApp();
  // An unsigned release of the demo product, built here, so the device takes it once it is allowed.
  release = await nativeReleaseZip({ product: DEMO.product, version: '1.2.0', seed: 7 });
  expect(await pickFiles(app.page, 'fieldflash-demo-1.2.0.zip', release.zip)).toBe('added');
  device = await startTestAgent();
  await openDevicesView(app.page);
  expect((await addByAddress(app.page, device.agent.url, PASSWORD)).added).toBe(true);
});
afterAll(async () => {
  await device?.agent.close();
  await app?.close();
});

const slot = (name: 'a' | 'b') => {
  const path = join(device.dir, 'slots', `${name}.img`);
  return existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
};

test('an unsigned release is held back on the card and left out of "Update selected", until allowed right there', async () => {
  const { page } = app;
  const card = deviceCard(page, device.label);
  const update = card.getByRole('button', { name: `Update to ${NAME}` });
  const held = card.getByRole('group', { name: `${NAME} cannot be installed` });
  expect(await held.innerText()).toMatch(/not signed/);
  expect(await update.isDisabled()).toBe(true);

  await selectDevices(page, [device.label]);
  const outcome = await updateSelected(page);
  expect(outcome).toContain(`No update started. Left out: ${device.label}: ${NAME} cannot be installed: Unsigned`);
  const bar = page.getByRole('region', { name: 'Update many devices' });
  await bar.getByRole('button', { name: `Allow unsigned releases of ${DEMO.product}` }).click();
  const confirm = page.getByRole('alertdialog', { name: `Confirm allowing unsigned releases of ${DEMO.product}` });
  await confirm.getByRole('button', { name: `Allow unsigned releases of ${DEMO.product}` }).click();
  await held.waitFor({ state: 'detached' });
  expect(await update.isEnabled()).toBe(true);
  expect(readdirSync(join(device.dir, 'uploads')).length).toBe(0);
});

test('a library copy changed in IndexedDB is refused right before it is sent, and the device slot is left as it was', async () => {
  const { page } = app;
  const before = { a: slot('a'), b: slot('b') };
  await alterStoredFile(page, NAME, release.appPath);
  const card = deviceCard(page, device.label);
  await card.getByRole('button', { name: `Update to ${NAME}` }).click();
  expect(await updateResult(card)).toMatch(
    new RegExp(`^Update to ${NAME.replace(/\./g, '\\.')} stopped: The library's copy of ${NAME.replace(/\./g, '\\.')} was changed or damaged: .* Nothing was written\\. What to do: Delete this release from the library and import it again`),
  );
  expect(slot('a').equals(before.a)).toBe(true);
  expect(slot('b').equals(before.b)).toBe(true);
  expect(readdirSync(join(device.dir, 'uploads')).length).toBe(0);
});
