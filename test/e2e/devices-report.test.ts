// The field report in Chromium against real reference agents on 127.0.0.1: a confirmed update, a rolled-back one
// (a failing health check) and a confirmed downgrade are recorded when they end, listed newest first, and exported
// as CSV and JSON for today or for all; neither the records nor the files hold the pairing secret, the pairing key,
// a session id or a session key.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sessionKey } from '@fieldflash/protocol';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { openApp, type AppSession } from './browser.ts';
import {
  addByAddress, deviceCard, deviceDocument, forgetAllDevices, openDevicesView, PASSWORD, startTestAgent, type TestAgent, updateResult,
} from './devices.support.ts';
import { releaseRow } from './library.support.ts';
import { trustDemoReleases } from './trust.support.ts';

let app: AppSession;
const agents: TestAgent[] = [];

beforeAll(async () => {
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
  await trustDemoReleases(app.page, 'FieldFlash Demo');
  await app.page.getByRole('button', { name: 'Load demo release' }).click();
  await releaseRow(app.page, /^FieldFlash Demo /).waitFor({ timeout: 30_000 });
});
afterAll(async () => app?.close());
afterEach(async () => {
  for (const { agent } of agents.splice(0)) await agent.close();
});

async function agent(options: Parameters<typeof startTestAgent>[0] = {}): Promise<TestAgent> {
  const started = await startTestAgent(options);
  agents.push(started);
  return started;
}

/** The page's field report store read raw, or changed raw (an entry from two days ago, to tell "today" from "all"). */
function reportStore(page: Page, action: 'read' | 'clear' | { add: Record<string, unknown> }): Promise<Record<string, unknown>[]> {
  return page.evaluate(
    (action) =>
      new Promise<Record<string, unknown>[]>((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('fieldReport', action === 'read' ? 'readonly' : 'readwrite');
          const store = tx.objectStore('fieldReport');
          let records: Record<string, unknown>[] = [];
          if (action === 'clear') store.clear();
          else if (action === 'read') store.getAll().onsuccess = (event) => (records = (event.target as IDBRequest).result as Record<string, unknown>[]);
          else store.put(action.add);
          tx.oncomplete = () => {
            db.close();
            resolve(records);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    action,
  );
}

/** Every secret an update's logins involved, as they could be written: the session ids, and each key in hex and base64. */
function secretsSeen(page: Page): { list: () => Promise<string[]> } {
  const logins: Array<{ challengeId: string; clientNonce: string }> = [];
  const sessionIds: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/fieldflash/v1/auth/response')) logins.push(request.postDataJSON() as { challengeId: string; clientNonce: string });
  });
  page.on('response', async (response) => {
    if (response.request().method() === 'POST' && response.url().endsWith('/fieldflash/v1/auth/response') && response.ok()) {
      sessionIds.push(((await response.json()) as { sessionId: string }).sessionId);
    }
  });
  return {
    list: async () => {
      const out: string[] = [PASSWORD, ...sessionIds];
      for (const { dir } of agents) {
        const key = Buffer.from((JSON.parse(readFileSync(join(dir, 'auth.json'), 'utf8')) as { key: string }).key, 'base64');
        out.push(key.toString('hex'), key.toString('base64'));
        for (const login of logins) {
          const shared = Buffer.from(await sessionKey(new Uint8Array(key), login.challengeId, login.clientNonce));
          out.push(shared.toString('hex'), shared.toString('base64'));
        }
      }
      return out;
    },
  };
}

async function exportReport(page: Page, scope: 'today' | 'all', format: 'CSV' | 'JSON'): Promise<{ name: string; text: string }> {
  const panel = page.getByRole('region', { name: 'Field report' });
  await panel.getByLabel('Export which updates').selectOption(scope);
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: `Export the field report as ${format}` }).click()]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

/** RFC 4180 as the export writes it: the test's values hold no comma, quote or line break, so a plain split reads them. */
function csvRows(text: string): Record<string, string>[] {
  expect(text.endsWith('\r\n')).toBe(true);
  const [header, ...lines] = text.slice(0, -2).split('\r\n').map((line) => line.split(','));
  return lines.map((cells) => Object.fromEntries(header!.map((column, i) => [column, cells[i]!])));
}

test('a confirmed update, a rolled-back one and a confirmed downgrade are recorded, listed newest first and exported as CSV and JSON without a secret', async () => {
  const { page } = app;
  await forgetAllDevices(page);
  await reportStore(page, 'clear');
  await page.reload();
  await openDevicesView(page);
  const seen = secretsSeen(page);
  const started = Date.now();

  const good = await agent();
  const failing = await agent({ healthCheck: 'echo "sensor bus not found" >&2; exit 3' });
  const newer = await agent({ version: '2.0.0' });
  for (const device of [good, failing, newer]) expect(await addByAddress(page, device.agent.url, PASSWORD)).toMatchObject({ added: true });

  const goodCard = deviceCard(page, good.label);
  await goodCard.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
  expect(await updateResult(goodCard)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
  const failingCard = deviceCard(page, failing.label);
  await failingCard.getByRole('button', { name: 'Update to FieldFlash Demo 1.0.0' }).click();
  expect(await updateResult(failingCard)).toMatch(/^Rolled back: health check exited with 3: sensor bus not found/);
  const newerCard = deviceCard(page, newer.label);
  await newerCard.getByRole('button', { name: 'Downgrade to FieldFlash Demo 1.0.0' }).click();
  await page.getByRole('alertdialog', { name: 'Confirm downgrading to FieldFlash Demo 1.0.0' }).getByRole('button', { name: 'Downgrade to 1.0.0' }).click();
  expect(await updateResult(newerCard)).toMatch(/^Confirmed: FieldFlash Demo 1\.0\.0 in slot b\./);
  const ended = Date.now();

  // What a confirmed device holds in slot b: the image each update sent once (a rollback erases its copy), so the
  // bytes put on the wire are its size.
  const imageSize = statSync(join(good.dir, 'slots', 'b.img')).size;
  expect(statSync(join(newer.dir, 'slots', 'b.img')).size).toBe(imageSize);
  const ids = await Promise.all([good, failing, newer].map(async (d) => (await deviceDocument(d.agent.url)).id));
  const expected = [
    { deviceId: ids[2], address: newer.agent.url, fromVersion: '2.0.0', result: 'confirmed', reason: '', downgradeConfirmed: true },
    { deviceId: ids[1], address: failing.agent.url, fromVersion: '0.9.0', result: 'rolled-back', reason: 'health check exited with 3: sensor bus not found', downgradeConfirmed: false },
    { deviceId: ids[0], address: good.agent.url, fromVersion: '0.9.0', result: 'confirmed', reason: '', downgradeConfirmed: false },
  ];

  // The panel lists them newest first, once each has ended.
  const rows = page.getByRole('region', { name: 'Field report' }).getByRole('table', { name: 'Updates' }).locator('tbody tr');
  await expect.poll(() => rows.count()).toBe(3);
  const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  expect(texts[0]).toContain(`FieldFlash Demo at ${new URL(newer.agent.url).host} 2.0.0 1.0.0 (downgrade, confirmed) HTTP`);
  expect(texts[0]).toMatch(/Confirmed$/);
  expect(texts[1]).toContain(`FieldFlash Demo at ${new URL(failing.agent.url).host} 0.9.0 1.0.0 HTTP`);
  expect(texts[1]).toMatch(/Rolled back: health check exited with 3: sensor bus not found$/);
  expect(texts[2]).toContain(`FieldFlash Demo at ${new URL(good.agent.url).host} 0.9.0 1.0.0 HTTP`);

  // An update two days ago: in "all", not in "today".
  const old = Date.now() - 2 * 86_400_000;
  await reportStore(page, {
    add: { id: 'older', deviceId: 'dev-older', address: 'http://192.168.1.40:8070', product: 'FieldFlash Demo', fromVersion: '0.8.0', toVersion: '0.9.0', transport: 'webrtc', bytesSent: 4096, startedAt: old - 1500, endedAt: old, result: 'failed', reason: 'No answer from http://192.168.1.40:8070.', downgradeConfirmed: false },
  });
  await page.reload();
  await openDevicesView(page);
  await expect.poll(() => rows.count()).toBe(4);

  const csvToday = await exportReport(page, 'today', 'CSV');
  const jsonToday = await exportReport(page, 'today', 'JSON');
  const csvAll = await exportReport(page, 'all', 'CSV');
  const jsonAll = await exportReport(page, 'all', 'JSON');
  expect(csvToday.name).toMatch(/^fieldflash-report-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(jsonToday.name).toMatch(/^fieldflash-report-\d{4}-\d{2}-\d{2}\.json$/);
  expect(csvAll.name).toBe('fieldflash-report-all.csv');
  expect(jsonAll.name).toBe('fieldflash-report-all.json');

  expect(csvToday.text.split('\r\n')[0]).toBe('deviceId,address,product,fromVersion,toVersion,transport,bytesSent,startedAt,endedAt,durationMs,result,reason,downgradeConfirmed');
  const fromCsv = csvRows(csvToday.text);
  const fromJson = JSON.parse(jsonToday.text) as Array<Record<string, unknown>>;
  expect(fromCsv).toHaveLength(3);
  expect(fromJson).toHaveLength(3);
  for (const [i, want] of expected.entries()) {
    const csv = fromCsv[i]!;
    const json = fromJson[i]!;
    expect(csv).toMatchObject({
      deviceId: want.deviceId, address: want.address, product: 'FieldFlash Demo', fromVersion: want.fromVersion, toVersion: '1.0.0', transport: 'http',
      bytesSent: String(imageSize), result: want.result, reason: want.reason, downgradeConfirmed: String(want.downgradeConfirmed),
    });
    expect(json).toEqual({
      deviceId: want.deviceId, address: want.address, product: 'FieldFlash Demo', fromVersion: want.fromVersion, toVersion: '1.0.0', transport: 'http',
      bytesSent: imageSize, startedAt: csv.startedAt, endedAt: csv.endedAt, durationMs: Number(csv.durationMs), result: want.result, reason: want.reason,
      downgradeConfirmed: want.downgradeConfirmed,
    });
    const start = Date.parse(csv.startedAt!);
    const end = Date.parse(csv.endedAt!);
    expect(start).toBeGreaterThanOrEqual(started);
    expect(end).toBeLessThanOrEqual(ended);
    expect(Number(csv.durationMs)).toBe(end - start);
    expect(end - start).toBeGreaterThan(0);
  }
  // Newest first, and each ended before the next began (they ran one after the other).
  expect(Date.parse(fromCsv[1]!.endedAt!)).toBeLessThanOrEqual(Date.parse(fromCsv[0]!.startedAt!));
  expect(Date.parse(fromCsv[2]!.endedAt!)).toBeLessThanOrEqual(Date.parse(fromCsv[1]!.startedAt!));

  // "All" adds the older one, last.
  const allCsv = csvRows(csvAll.text);
  const allJson = JSON.parse(jsonAll.text) as Array<Record<string, unknown>>;
  expect(allCsv.slice(0, 3)).toEqual(fromCsv);
  expect(allJson.slice(0, 3)).toEqual(fromJson);
  expect(allCsv[3]).toEqual({
    deviceId: 'dev-older', address: 'http://192.168.1.40:8070', product: 'FieldFlash Demo', fromVersion: '0.8.0', toVersion: '0.9.0', transport: 'webrtc',
    bytesSent: '4096', startedAt: new Date(old - 1500).toISOString(), endedAt: new Date(old).toISOString(), durationMs: '1500', result: 'failed',
    reason: 'No answer from http://192.168.1.40:8070.', downgradeConfirmed: 'false',
  });
  expect(allJson).toHaveLength(4);

  // No secret in the records or the files: not the pairing secret, not a key kept by a device, not a session.
  const secrets = await seen.list();
  // Three devices paired and three updated: at least one login each.
  expect(secrets.length).toBeGreaterThanOrEqual(1 + 3 + 3 * 2 + 3 * 3 * 2);
  const records = JSON.stringify(await reportStore(page, 'read'));
  expect(records).toContain(ids[0]);
  for (const secret of secrets) {
    for (const text of [records, csvToday.text, jsonToday.text, csvAll.text, jsonAll.text]) expect(text).not.toContain(secret);
  }
});

test('a CSV cell a spreadsheet would run as a formula is written as text', async () => {
  const { page } = app;
  await reportStore(page, 'clear');
  await page.reload();
  await openDevicesView(page);
  const now = Date.now();
  await reportStore(page, {
    add: { id: 'evil', deviceId: 'dev-evil', address: 'http://192.168.1.41:8070', product: '=HYPERLINK("http://evil.example","x")', fromVersion: '1.0.0', toVersion: '1.0.1', transport: 'http', bytesSent: 1, startedAt: now - 10, endedAt: now, result: 'rolled-back', reason: '@SUM(1,2)', downgradeConfirmed: false },
  });
  await page.reload();
  await openDevicesView(page);
  const { text } = await exportReport(page, 'all', 'CSV');
  const line = text.split('\r\n')[1]!;
  expect(line).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
  expect(line).toContain(`"'@SUM(1,2)"`);
});
