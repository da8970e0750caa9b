// `npm run push` with a source-tree release, as a person runs it: a child process against the MicroPython agent (in
// the MicroPython interpreter behind the bridge on 127.0.0.1), with release zips on disk. It says what the delta
// sends and saves, and ends with the device's verdict; the board's /app holds the tree it names.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicroPythonAgent, type RunningMicroPythonAgent } from '../../agents/micropython/bridge/agent.ts';
import { lanApp, type LanAppOptions, lanRelease } from '../fixtures/micropython-lan-app.ts';
import { BOARD_SETTINGS, boardTree, boardWithEnv, expectedTree, PASSWORD, sortedTree } from './micropython-tree-support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = boardWithEnv();
let agent: RunningMicroPythonAgent;
beforeAll(async () => {
  agent = await startMicroPythonAgent({ dir, settings: { ...BOARD_SETTINGS, confirm_within_s: 3 }, secret: PASSWORD, log: () => {} });
}, 30_000);
afterAll(() => agent?.close());

async function push(version: string, options: LanAppOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const bundle = join(dir, `greenhouse-sensor-${version}.zip`);
  writeFileSync(bundle, await lanRelease(version, lanApp(version, options)));
  const env = { ...process.env, FIELDFLASH_PAIRING_SECRET: PASSWORD };
  return new Promise((resolve) => {
    execFile(join(root, 'node_modules/.bin/tsx'), ['packages/protocol/src/node/push.ts', agent.url, bundle], { cwd: root, env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe('npm run push with a source tree', () => {
  it('sends the whole tree first, then only what changed, saying what that saved; the board holds each release', async () => {
    const first = await push('1.2.0');
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain("sending Greenhouse Sensor 1.2.0 (the source tree's 6 files, those that differ from the device's) over http");
    expect(first.stdout).toMatch(/delta against the device's files: Sends 6 of 6 files \(\d+ bytes of \d+ bytes\): 0 bytes saved\./);
    expect(lastLine(first.stdout)).toBe('confirmed: Greenhouse Sensor 1.2.0 as its source tree');
    expect(first.code).toBe(0);

    const second = await push('1.3.0', { later: true });
    expect(second.stdout).toMatch(/delta against the device's files: Sends 4 of 7 files \(\d+ bytes of \d+ bytes\): \d+ bytes saved; removes 1 the new tree no longer has\./);
    expect(lastLine(second.stdout)).toBe('confirmed: Greenhouse Sensor 1.3.0 as its source tree');
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.3.0', { later: true }));
  }, 120_000);

  it('names a rollback and its reason, with exit code 1, and the board keeps the tree it ran', async () => {
    const run = await push('1.4.0', { later: true, broken: true });
    expect(lastLine(run.stdout)).toBe(
      "rolled back: Greenhouse Sensor 1.4.0 as its source tree did not pass its test boot (main.py raised ImportError: no module named 'lib.calibration'); the device runs 1.3.0 again",
    );
    expect(run.code).toBe(1);
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.3.0', { later: true }));
  }, 120_000);
});
