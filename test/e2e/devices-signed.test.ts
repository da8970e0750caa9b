// The Devices view in Chromium and a reference agent started with trusted keys (docs/protocol.md §4.9): a signed
// release from the library goes to the device with its manifest and signature and is confirmed; the demo release,
// signed by a publisher this laptop trusts but the device does not, is refused by the device itself, and the card
// says so in words, with what to do.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { generateSigningKey, pseudoRandomBytes, signatureFileText, signManifest, writeAppImage, writeNativeManifest } from '../../packages/bundle/src/index.ts';
import { deviceDir } from '../integration/agent-support.ts';
import { trustedKeysDir } from '../integration/signed-release-support.ts';
import { openApp, type AppSession } from './browser.ts';
import { addByAddress, DEMO, deviceCard, deviceDocument, forgetAllDevices, openDevicesView, PASSWORD, startTestAgent, type TestAgent, updateResult } from './devices.support.ts';
import { confirmDeleting, pickFiles, releaseRow, zipFiles } from './library.support.ts';
import { importKey } from './trust.support.ts';
import { publicKeyFile } from '../../packages/bundle/src/index.ts';

let app: AppSession;
const agents: TestAgent[] = [];
const key = await generateSigningKey('ed25519', 'FieldFlash Demo releases');

/** A release zip of the demo product, version 1.1.0, whose manifest `key` signed. */
async function signedReleaseZip(): Promise<Buffer> {
  const image = await writeAppImage({ chipFamily: 'ESP32', projectName: 'fieldflash-demo', version: '1.1.0', flashSizeMiB: 4, payload: pseudoRandomBytes(20_000, 9) });
  const files = [{ path: 'ota/fieldflash-demo.bin', data: image, role: 'app' as const }];
  const manifest = await writeNativeManifest({
    product: DEMO.product, version: '1.1.0', sequence: 6, securityVersion: 0,
    targets: [{ chipFamily: 'ESP32', board: DEMO.board, ota: { image: 'ota/fieldflash-demo.bin' } }],
    files,
  });
  const signature = signatureFileText(await signManifest(new TextEncoder().encode(manifest), key));
  return zipFiles([
    { path: 'fieldflash.json', bytes: Buffer.from(manifest) },
    { path: 'fieldflash.json.sig', bytes: Buffer.from(signature) },
    { path: files[0]!.path, bytes: Buffer.from(image) },
  ]);
}

beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
  await app.page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(app.page, /^FieldFlash Demo 1\.0\.0/).waitFor({ timeout: 30_000 });
  expect(await pickFiles(app.page, 'fieldflash-demo-1.1.0.zip', await signedReleaseZip())).toBe('added');
  // The laptop trusts this publisher too, so the app lets the release go; the device decides for itself.
  expect(await importKey(app.page, publicKeyFile(key.publicKey))).toMatch(`Imported FieldFlash Demo releases (${key.publicKey.keyId})`);
});
afterAll(async () => {
  if (!app) return;
  await app.page.getByRole('link', { name: 'Library', exact: true }).click();
  await releaseRow(app.page, 'FieldFlash Demo 1.1.0').getByRole('button', { name: 'Delete FieldFlash Demo 1.1.0' }).click();
  await confirmDeleting(app.page, 'FieldFlash Demo 1.1.0').getByRole('button', { name: 'Delete release' }).click();
  await app.close();
});

beforeEach(async () => {
  await forgetAllDevices(app.page);
  await openDevicesView(app.page);
});
afterEach(async () => {
  for (const { agent } of agents.splice(0)) await agent.close();
});

async function trustingAgent(): Promise<TestAgent> {
  const dir = deviceDir();
  const started = await startTestAgent({ dir, trustedKeys: trustedKeysDir(dir, key) });
  agents.push(started);
  return started;
}

describe('a device that installs signed releases only', () => {
  test('is updated with a signed release from the library, confirmed in slot b, its counters from the signed manifest', async () => {
    const { page } = app;
    const device = await trustingAgent();
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.1.0' }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.1\.0 in slot b\./);
    const document = await deviceDocument(device.agent.url);
    expect(document).toMatchObject({ version: '1.1.0', sequence: 6, counterSources: { sequence: 'signed-manifest' } });
    expect(document.slots[1]).toMatchObject({ name: 'b', state: 'active', version: '1.1.0' });
  });

  test("refuses the demo release, signed by a key it does not hold, and the card shows the device's refusal in words with what to do", async () => {
    const { page } = app;
    const device = await trustingAgent();
    await addByAddress(page, device.agent.url, PASSWORD);
    const card = deviceCard(page, device.label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    const result = await updateResult(card);
    expect(result).toContain(`Update to FieldFlash Demo 1.0.0 stopped: The device at ${device.agent.url} refused (untrusted-key): The release is signed with key `);
    expect(result).toContain(`which this device does not trust (it trusts ${key.publicKey.keyId})`);
    expect(result).toContain('What to do: The device does not trust the key that signed this release');
    const document = await deviceDocument(device.agent.url);
    expect(document.slots[1]).toEqual({ name: 'b', state: 'empty' });
    expect(document.lastUpdate).toBeUndefined();
  });
});
