// A power cut at every step of a source-tree swap on the MicroPython agent (agents/micropython/README.md, "The
// swap"): the board runs in the MicroPython interpreter over files in DIR, and the bridge cuts its power just before
// flash change N of the boot that swaps a staged tree in, test-boots it and confirms it (crash point N, every N
// from the first change to the last). The next boot must find a whole tree, the old one or the new one, byte for
// byte with the device's env.py untouched, and a verdict that says which; an update tried again then completes.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicroPythonAgent } from '../../agents/micropython/bridge/agent.ts';
import { Board } from '../../agents/micropython/bridge/board.ts';
import {
  appRelease, BOARD_SETTINGS, boardJournal, boardTree, boardWithEnv, expectedTree, PASSWORD, pushTree, sortedTree, stageTree,
} from './micropython-tree-support.ts';

const OLD = expectedTree('1.2.0');
const NEW = expectedTree('1.3.0', { later: true });
let snapshot: string;
const work = mkdtempSync(join(tmpdir(), 'fieldflash-mp-power-'));

beforeAll(async () => {
  // 1.2.0 runs, 1.3.0 is committed (four files written, one deleted, a new folder) and waits for the next boot.
  const dir = boardWithEnv();
  const agent = await startMicroPythonAgent({ dir, settings: BOARD_SETTINGS, secret: PASSWORD, log: () => {} });
  try {
    expect((await pushTree(agent.url, await appRelease('1.2.0'))).outcome).toBe('confirmed');
    await stageTree(agent.url, await appRelease('1.3.0', { later: true }));
  } finally {
    await agent.close();
  }
  snapshot = dir;
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Whether the board's journal shows the update decided and the swap's folders gone. */
function settled(dir: string): boolean {
  const journal = boardJournal(dir);
  return journal.lastUpdate?.outcome !== 'pending' && !journal.tree?.phase && !existsSync(join(dir, 'flash', 'app.new')) && !existsSync(join(dir, 'flash', 'app.old'));
}

/** Powers the board on (cut before flash change `cutAt`, if given) until it loses power or settles; returns its flash change count. */
async function powerOn(dir: string, cutAt?: number): Promise<{ cut: boolean; changes: number }> {
  const board = new Board(dir, BOARD_SETTINGS);
  board.on.log = () => {};
  let cut = false;
  board.on.reset = () => (cut = true);
  try {
    await board.boot(cutAt === undefined ? {} : { powerCutAt: cutAt });
    const deadline = Date.now() + 15_000;
    while (!cut && !settled(dir)) {
      if (Date.now() > deadline) throw new Error(`the board did not settle (cut at ${cutAt}): ${JSON.stringify(boardJournal(dir))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { cut, changes: cut ? -1 : await board.flashChanges() };
  } finally {
    await board.halt();
  }
}

/** The update tried again on the board as the cut left it: sent as a delta once more, and confirmed. */
async function retry(): Promise<void> {
  const agent = await startMicroPythonAgent({ dir: work, settings: BOARD_SETTINGS, log: () => {} });
  try {
    expect((await pushTree(agent.url, await appRelease('1.3.0', { later: true }))).outcome).toBe('confirmed');
  } finally {
    await agent.close();
  }
  expect(sortedTree(boardTree(work))).toEqual(NEW);
}

describe('a power cut at every flash change of the boot that swaps a source tree in', () => {
  it('leaves the old tree or the new one, whole, and the verdict that says which; the update tried again completes', async () => {
    cpSync(snapshot, work, { recursive: true });
    const clean = await powerOn(work);
    expect(sortedTree(boardTree(work))).toEqual(NEW);
    const steps = clean.changes;
    expect(steps).toBeGreaterThan(20);
    const outcomes: string[] = [];
    for (let n = 0; n < steps; n++) {
      rmSync(work, { recursive: true, force: true });
      cpSync(snapshot, work, { recursive: true });
      expect((await powerOn(work, n)).cut, `power cut before change ${n + 1}`).toBe(true);
      await powerOn(work);
      const journal = boardJournal(work);
      const tree = sortedTree(boardTree(work));
      if (journal.lastUpdate?.outcome === 'confirmed') expect(tree, `cut before change ${n + 1}: confirmed`).toEqual(NEW);
      else expect({ tree, reason: journal.lastUpdate?.reason }, `cut before change ${n + 1}: rolled back`).toEqual({ tree: OLD, reason: expect.stringMatching(/restarted/) });
      outcomes.push(`${n + 1}:${journal.lastUpdate!.outcome}`);
      expect(journal.lastUpdate?.version).toBe('1.3.0');
      if (journal.lastUpdate?.outcome === 'rolled-back') await retry();
    }
    process.stdout.write(`power cut before each of ${steps} flash changes: ${outcomes.join(' ')}\n`);
    expect(outcomes.some((o) => o.endsWith('rolled-back'))).toBe(true);
    expect(outcomes.some((o) => o.endsWith('confirmed'))).toBe(true);
  }, 600_000);
});
