// An update from the Devices view sends the image in one request (docs/protocol.md §4.6), as Chromium's own network
// events and the device's log both tell; its progress bar shows what the device says it has; broken in the middle of
// that request, it goes on with another one from the offset the device kept, and the slot gets the release's bytes.
import { createHash } from 'node:crypto';
import type { Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { MidRequestCut, partialHolds } from '../integration/mid-request-cut.ts';
import { openApp, type AppSession } from './browser.ts';
import { demoSlotImage, fieldReport, slotBytes } from './devices-many.support.ts';
import { addByAddress, deviceCard, forgetAllDevices, openDevicesView, PASSWORD, startTestAgent, type TestAgent, updateResult } from './devices.support.ts';
import { releaseRow } from './library.support.ts';
import { trustDemoReleases } from './trust.support.ts';

let app: AppSession;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  app = await openApp();
  await trustDemoReleases(app.page, 'FieldFlash Demo');
  await app.page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(app.page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
});
afterAll(async () => app?.close());

beforeEach(async () => {
  await forgetAllDevices(app.page);
  await openDevicesView(app.page);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A reference agent playing a demo device at 0.9.0, with its log kept. */
async function device(): Promise<TestAgent & { lines: string[] }> {
  const lines: string[] = [];
  const started = await startTestAgent({ log: (line) => lines.push(line) });
  cleanups.push(() => started.agent.close());
  return { ...started, lines };
}

/** The image PUTs the page makes from now on, by their query, as Chromium's own network events list them. */
function watchImagePuts(): string[] {
  const puts: string[] = [];
  const onRequest = (request: Request) => {
    if (request.method() === 'PUT' && request.url().includes('/fieldflash/v1/updates/')) puts.push(new URL(request.url()).search);
  };
  app.page.on('request', onRequest);
  cleanups.push(async () => void app.page.off('request', onRequest));
  return puts;
}

/** Where each single request the device received started, from its log. */
const singleRequestsFrom = (lines: string[]) => lines.flatMap((line) => /: the rest of [0-9a-f]{12}… in one request, from (\d+)$/.exec(line)?.[1] ?? []).map(Number);

describe('the image in one request', () => {
  test('an update from the page sends the whole image in one PUT, and the slot holds the release', async () => {
    const { page } = app;
    const d = await device();
    await addByAddress(page, d.agent.url, PASSWORD);
    const puts = watchImagePuts();
    const card = deviceCard(page, d.label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    const image = await demoSlotImage('b');
    expect(puts).toEqual(['?offset=0']);
    expect(singleRequestsFrom(d.lines)).toEqual([0]);
    expect(slotBytes(d.dir, 'b').equals(image)).toBe(true);
    const [entry] = (await fieldReport(page)).filter((e) => e.address === d.agent.url);
    expect(entry).toMatchObject({ result: 'confirmed', bytesSent: image.length });
  });

  test('cut in the middle of that request, the update goes on from the offset the device kept, in another one', async () => {
    const { page } = app;
    const d = await device();
    const image = await demoSlotImage('b');
    const kept = 30_000;
    const relay = await MidRequestCut.start(d.agent.port, 'PUT /fieldflash/v1/updates/', kept);
    cleanups.push(() => relay.close());
    const label = `FieldFlash Demo at ${new URL(relay.url).host}`;
    await addByAddress(page, relay.url, PASSWORD);
    const card = deviceCard(page, label);
    await card.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();

    await relay.reached;
    await partialHolds(d.dir, createHash('sha256').update(image).digest('hex'), kept);
    // The page has sent the whole image into the network's buffers; the bar shows what the device says it has.
    const bar = card.getByRole('progressbar', { name: 'Bytes the device has' });
    await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 30_000 }).toBe(kept);
    relay.cut();

    expect(await updateResult(card)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
    expect(d.lines.filter((line) => line.endsWith(`: the request ended at ${kept} of ${image.length} bytes; ${kept} are on disk`))).toHaveLength(1);
    expect(singleRequestsFrom(d.lines)).toEqual([0, kept]);
    // A broken request is the link's doing, not a fault of the device's.
    expect(d.lines.filter((line) => line.startsWith('internal error'))).toEqual([]);
    expect(slotBytes(d.dir, 'b').equals(image)).toBe(true);
  });
});
