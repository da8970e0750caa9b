// Campaign 2: power cuts of the MicroPython agent (agents/micropython, on the simulated board behind the bridge)
// while a source-tree update goes in. A run cuts the power before a random flash change: of the boot that swaps a
// staged tree in, test-boots and confirms it (sometimes a second cut during the boot that recovers from the first),
// or of the upload itself (offer, chunks, commit). After the board is powered again, /app must hold a whole tree,
// every file's digest that of the old tree or of the new one (never a mix), the device's env.py untouched; and the
// update, tried again with the real client where it did not complete, must be confirmed.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMicroPythonAgent } from '../agents/micropython/bridge/agent.ts';
import { Board } from '../agents/micropython/bridge/board.ts';
import type { Release } from '../packages/bundle/src/index.ts';
import {
  appRelease, BOARD_SETTINGS, boardJournal, boardTree, boardWithEnv, expectedTree, PASSWORD, pushTree, sortedTree, stageTree,
} from '../test/integration/micropython-tree-support.ts';
import { type Campaign, check, type RunContext } from './lib/campaign.ts';

const OLD_VERSION = '1.2.0';
const NEW_VERSION = '1.3.0';
const quiet = () => {};

/** Whether the board's journal shows the update decided and the swap's folders gone. */
function swapSettled(dir: string): boolean {
  const journal = boardJournal(dir);
  return journal.lastUpdate?.outcome !== 'pending' && !journal.tree?.phase && !existsSync(join(dir, 'flash', 'app.new')) && !existsSync(join(dir, 'flash', 'app.old'));
}

/** Powers the board on (cut before flash change `cutAt`, if given) until it loses power or settles. */
async function powerOn(dir: string, cutAt?: number): Promise<{ cut: boolean; changes: number }> {
  const board = new Board(dir, BOARD_SETTINGS);
  board.on.log = quiet;
  let cut = false;
  board.on.reset = () => (cut = true);
  try {
    await board.boot(cutAt === undefined ? {} : { powerCutAt: cutAt });
    const deadline = Date.now() + 20_000;
    while (!cut && !swapSettled(dir)) {
      check(Date.now() < deadline, `the board did not settle after power-on: journal ${JSON.stringify(boardJournal(dir))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { cut, changes: cut ? -1 : await board.flashChanges() };
  } finally {
    await board.halt();
  }
}

/** /app as the host reads it: the old tree or the new one, whole, and which. */
function wholeTree(dir: string, trees: { old: Record<string, string>; new: Record<string, string> }): 'old' | 'new' {
  const tree = sortedTree(boardTree(dir));
  const text = JSON.stringify(tree);
  if (text === JSON.stringify(trees.old)) return 'old';
  if (text === JSON.stringify(trees.new)) return 'new';
  const mixed = Object.keys({ ...tree, ...trees.old, ...trees.new }).filter((path) => tree[path] !== trees.old[path] && tree[path] !== trees.new[path]);
  throw new Error(`/app holds neither tree whole: ${mixed.map((p) => `${p} ${tree[p] ? 'differs from both' : 'is missing'}`).join(', ') || 'a mix of old and new files'}`);
}

export const micropythonPower: Campaign = {
  name: 'micropython-power',
  what: 'power cuts of the MicroPython agent at random flash changes of a source-tree update and its swap; power on, check /app, update again',
  fullRuns: 100,
  runTimeoutMs: 180_000,
  async prepare() {
    const releases: Record<string, Release> = { old: await appRelease(OLD_VERSION), new: await appRelease(NEW_VERSION, { later: true }) };
    const trees = { old: expectedTree(OLD_VERSION), new: expectedTree(NEW_VERSION, { later: true }) };
    // Two snapshots: the old tree running (an upload goes in next), and the new tree committed, waiting for the boot
    // that swaps it in.
    const running = boardWithEnv();
    const agent = await startMicroPythonAgent({ dir: running, settings: BOARD_SETTINGS, secret: PASSWORD, log: quiet });
    try {
      check((await pushTree(agent.url, releases.old!)).outcome === 'confirmed', `${OLD_VERSION} was not confirmed on a new board`);
    } finally {
      await agent.close();
    }
    const staged = mkdtempSync(join(tmpdir(), 'fieldflash-campaign-mp-staged-'));
    cpSync(running, staged, { recursive: true });
    const stager = await startMicroPythonAgent({ dir: staged, settings: BOARD_SETTINGS, log: quiet });
    let uploadChanges: number;
    try {
      await stageTree(stager.url, releases.new!);
      // Flash changes of the upload on the board's first boot: offer, chunks, commit.
      uploadChanges = await stager.board.flashChanges();
    } finally {
      await stager.close();
    }
    const work = mkdtempSync(join(tmpdir(), 'fieldflash-campaign-mp-'));
    const probe = join(work, 'probe');
    cpSync(staged, probe, { recursive: true });
    const swapChanges = (await powerOn(probe)).changes;
    check(swapChanges > 10, `the swap boot made only ${swapChanges} flash changes`);

    /** The update tried again with the real client, to the device's verdict, when the new tree is not running yet. */
    const retry = async (dir: string): Promise<void> => {
      const again = await startMicroPythonAgent({ dir, settings: BOARD_SETTINGS, log: quiet });
      try {
        const verdict = await pushTree(again.url, releases.new!);
        check(verdict.outcome === 'confirmed', `the update tried again was ${verdict.outcome}: ${verdict.reason ?? 'no reason given'}`);
      } finally {
        await again.close();
      }
      check(wholeTree(dir, trees) === 'new', 'the update tried again was confirmed, but /app holds the old tree');
    };

    return {
      async run({ index, random, aim, note, missed }: RunContext) {
        const dir = join(work, `run-${index}`);
        try {
          if (random.chance(0.7)) {
            cpSync(staged, dir, { recursive: true });
            const first = random.int(0, swapChanges - 1);
            const second = random.chance(0.35) ? random.int(0, swapChanges - 1) : undefined;
            aim(second === undefined ? 'cut in the swap' : 'cut in the swap and in its recovery', `before change ${first + 1} of ${swapChanges}${second === undefined ? '' : `, then before change ${second + 1}`}`);
            check((await powerOn(dir, first)).cut, `the power cut before change ${first + 1} did not happen`);
            if (second !== undefined && !(await powerOn(dir, second)).cut) missed('the recovery finished before the second cut');
            await powerOn(dir);
            const which = wholeTree(dir, trees);
            const verdict = boardJournal(dir).lastUpdate;
            check(verdict?.version === NEW_VERSION, `the journal's last update is ${JSON.stringify(verdict)}, not ${NEW_VERSION}`);
            check(
              (which === 'new' && verdict.outcome === 'confirmed') || (which === 'old' && verdict.outcome === 'rolled-back'),
              `/app holds the ${which} tree but the verdict is ${verdict.outcome}`,
            );
            if (which === 'old') await retry(dir);
          } else {
            cpSync(running, dir, { recursive: true });
            const cutAt = random.int(0, uploadChanges - 1);
            aim('cut in the upload', `before change ${cutAt + 1} of ${uploadChanges}`);
            // The board comes back by itself after the cut; the client carries on or gives up, as it may.
            const agent = await startMicroPythonAgent({ dir, settings: BOARD_SETTINGS, powerCutAt: cutAt, log: quiet });
            let outcome: string;
            try {
              outcome = await pushTree(agent.url, releases.new!).then((v) => v.outcome, () => 'stopped');
              note(`first attempt ${outcome}`);
              await agent.settled();
            } finally {
              await agent.close();
            }
            await powerOn(dir);
            const which = wholeTree(dir, trees);
            check(outcome !== 'confirmed' || which === 'new', 'the device confirmed the update, but /app holds the old tree');
            if (which === 'old') await retry(dir);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      async close() {
        for (const dir of [work, staged, running]) rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
