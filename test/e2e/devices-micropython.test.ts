// A MicroPython board's source tree updated over the LAN from the Devices view in Chromium: the agent runs in the
// MicroPython interpreter behind the bridge on 127.0.0.1, and the page sends only the files that differ from the
// board's, says so, and ends on the board's verdict; the files on the board's filesystem (DIR/flash/app) are checked.
// Then a release whose main fails to start is rolled back, and the board keeps the tree it ran.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMicroPythonAgent, type RunningMicroPythonAgent } from '../../agents/micropython/bridge/agent.ts';
import { BOARD_ENV, lanApp, type LanAppOptions, lanRelease } from '../fixtures/micropython-lan-app.ts';
import {
  appRelease, BOARD_SETTINGS, boardTree, boardWithEnv, expectedTree, PASSWORD, pushTree, sortedTree,
} from '../integration/micropython-tree-support.ts';
import { openApp, type AppSession } from './browser.ts';
import { addByAddress, deviceCard, deviceDocument, openDevicesView, updateResult } from './devices.support.ts';
import { pickFiles, releaseRow } from './library.support.ts';
import { allowUnsigned } from './trust.support.ts';

const MODULES = 20;
const LATER: LanAppOptions = { later: true, modules: MODULES };
let app: AppSession;
let agent: RunningMicroPythonAgent;
const dir = boardWithEnv();

beforeAll(async () => {
  agent = await startMicroPythonAgent({ dir, settings: BOARD_SETTINGS, secret: PASSWORD, log: () => {} });
  // The board runs 1.2.0, installed earlier.
  expect((await pushTree(agent.url, await appRelease('1.2.0', { modules: MODULES }))).outcome).toBe('confirmed');
  app = await openApp();
  await app.page.setViewportSize({ width: 1280, height: 900 });
  await allowUnsigned(app.page, 'Greenhouse Sensor');
  for (const [version, options] of [['1.3.0', LATER], ['1.4.0', { ...LATER, broken: true }]] as const) {
    expect(await pickFiles(app.page, `greenhouse-sensor-${version}.zip`, await lanRelease(version, lanApp(version, options)))).toBe('added');
    await releaseRow(app.page, `Greenhouse Sensor ${version}`).waitFor();
  }
  await openDevicesView(app.page);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await agent?.close();
});

describe('a MicroPython board in the Devices view', () => {
  const label = () => `Greenhouse Sensor at ${new URL(agent.url).host}`;

  test('gets the files of 1.3.0 that differ from its own, says what that saved, and confirms; the board holds 1.3.0 and its own env.py', async () => {
    const { page } = app;
    expect(await addByAddress(page, agent.url, PASSWORD)).toMatchObject({ added: true });
    const card = deviceCard(page, label());
    expect((await card.locator('.device-facts').innerText()).replace(/\s+/g, ' ')).toContain('Version 1.2.0 Runtime MicroPython 1.27.0');
    await card.getByRole('button', { name: 'Update to Greenhouse Sensor 1.3.0' }).click();
    const result = await updateResult(card);
    // main.py and version_info.py changed and lib/new/ is new; lib/old.py is gone; the 20 modules and the rest stayed.
    expect(result).toMatch(/^Confirmed: Greenhouse Sensor 1\.3\.0 as its source tree\. Sent 4 of 27 files, [\d.]+ KiB saved, 1 removed\./);

    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.3.0', LATER));
    expect(readFileSync(join(dir, 'flash', 'app', 'env.py'))).toEqual(Buffer.from(BOARD_ENV));
    expect(readFileSync(join(dir, 'flash', 'app', '.version'), 'utf8')).toBe('1.3.0\n');
    const document = await deviceDocument(agent.url);
    expect(document).toMatchObject({ version: '1.3.0', lastUpdate: { version: '1.3.0', outcome: 'confirmed' }, runtime: { name: 'micropython' } });
    expect(await card.getByLabel('Last update').innerText()).toBe('Last update: 1.3.0 confirmed.');
    await card.screenshot({ path: 'test-results/devices-micropython-confirmed.png' });
  }, 90_000);

  test('rolls back 1.4.0, whose main fails as it starts, with the board\'s reason; the board keeps 1.3.0 whole', async () => {
    const { page } = app;
    const card = deviceCard(page, label());
    await card.getByRole('button', { name: 'Dismiss' }).click();
    await card.getByRole('button', { name: 'Update to Greenhouse Sensor 1.4.0' }).click();
    const result = await updateResult(card);
    expect(result).toMatch(
      /^Rolled back: main\.py raised ImportError: no module named 'lib\.calibration' Sent 2 of 27 files, [\d.]+ KiB saved\. The device runs its previous source tree again; Greenhouse Sensor 1\.4\.0 was kept off it\./,
    );

    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.3.0', LATER));
    expect(await deviceDocument(agent.url)).toMatchObject({ version: '1.3.0', lastUpdate: { version: '1.4.0', outcome: 'rolled-back' } });
    await card.screenshot({ path: 'test-results/devices-micropython-rolled-back.png' });
  }, 90_000);
});
