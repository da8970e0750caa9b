// The Flash view's copy of a MicroPython source tree onto the connected board: over the open console's shared
// port (the monitor keeps the port), its raw-REPL traffic kept off the console, then a soft reset whose output
// the console shows and the start verdict reads. Offered once the board has printed MicroPython's banner, whose
// version decides which of the library's trees suit it. With the agent, the tree goes in beside it (agent-install.ts).
import { withAgent } from '../micropython/agent-install.ts';
import { explainTransferError, InstallProblem, notMicroPython } from '../micropython/install-problems.ts';
import { InstallRefused } from '../trust/install-check.ts';
import { RawRepl } from '../micropython/raw-repl.ts';
import { judgeStart, startSettled, type StartVerdict } from '../micropython/start-verdict.ts';
import { installTree, type FileProgress, type InstallReport, type SourceTree } from '../micropython/tree-install.ts';
import { beginOperation } from '../operations.ts';
import { flashController } from './flash-controller.ts';
import { flashState, Watched } from './flash-state.ts';
import type { TreeChoice } from './micropython-trees.ts';

/** The agent to install with the tree: the pairing code it will answer to, and the board's name. */
export interface AgentChoice {
  secret: string;
  board: string;
}

export type CopyState =
  | { status: 'idle' }
  | { status: 'copying'; label: string; files: readonly FileProgress[] }
  | { status: 'starting'; label: string; files: readonly FileProgress[]; report: InstallReport }
  | { status: 'done'; label: string; files: readonly FileProgress[]; report: InstallReport; verdict: StartVerdict; agentInstalled: boolean }
  | { status: 'failed'; label: string; files: readonly FileProgress[]; message: string; nextStep: string };

/** How long the entry module gets to show it started before the verdict is read. */
const START_WATCH_MS = 8000;
const BANNER = /MicroPython v(\d[^\s]*) on [^\n]*; [^\n]* with /;

export const micropythonState = {
  /** The board on the console printed MicroPython's banner since it was connected. */
  seen: new Watched<boolean>(false),
  /** MicroPython's version as the last banner gave it ("1.27.0"). */
  version: new Watched<string | undefined>(undefined),
  copy: new Watched<CopyState>({ status: 'idle' }),
};

// A different board, or the same one after a pulled cable, must show its banner again before a copy is offered.
flashState.connection.subscribe((connection) => {
  if (connection.status !== 'connected') micropythonState.seen.set(false);
});
// Every (re)opened monitor, "Reset board" included, waits for a fresh banner: until then the board is starting.
flashState.activity.subscribe((activity) => {
  micropythonState.seen.set(false);
  if (activity === 'flashing') micropythonState.copy.set({ status: 'idle' });
});
let consoleLength = 0;
flashState.console.subscribe((text) => {
  const added = text.length >= consoleLength ? text.slice(Math.max(0, consoleLength - 200)) : text;
  consoleLength = text.length;
  const banner = flashState.activity.get() === 'monitoring' ? BANNER.exec(added) : null;
  if (!micropythonState.seen.get() && banner) {
    micropythonState.version.set(banner[1]);
    micropythonState.seen.set(true);
  }
});

/**
 * Whether the board on the console runs MicroPython: its banner was seen, or the last app the boot log named is
 * MicroPython's. Wi-Fi setup must not probe such a board: Improv's packet bytes (0x01, 0x02, 0x03) are the REPL's
 * Ctrl-A, Ctrl-B and Ctrl-C.
 */
export function consoleShowsMicroPython(console: string): boolean {
  if (micropythonState.seen.get()) return true;
  const apps = [...console.matchAll(/Project name:\s+(\S+)/g)];
  return apps[apps.length - 1]?.[1] === 'micropython';
}

export async function copyTree(choice: TreeChoice, agent?: AgentChoice): Promise<void> {
  const state = micropythonState.copy;
  if (state.get().status === 'copying' || state.get().status === 'starting') return;
  const log = flashController.log;
  let files: readonly FileProgress[] = [];
  state.set({ status: 'copying', label: choice.label, files });
  const end = beginOperation(`Copying ${choice.label} to the board`);
  let repl: RawRepl | undefined;
  try {
    const app = await choice.load();
    const tree = agent ? await withAgent(app, { ...choice.identity, chipFamily: boardChip(), board: agent.board }, agent.secret) : app;
    const view = flashController.sharedConsole();
    if (!view) throw notMicroPython();
    log(`Copying ${tree.label} (${tree.files.length} files) to the board over the raw REPL.`);
    flashController.muteConsole(true);
    repl = await RawRepl.enter(view);
    const report = await installTree(repl, tree, (progress) => {
      files = progress;
      state.set({ status: 'copying', label: choice.label, files });
    });
    log(`Copied ${report.written} file${report.written === 1 ? '' : 's'}, ${report.unchanged} unchanged, ${report.kept} kept; soft-resetting.`);
    state.set({ status: 'starting', label: choice.label, files, report });
    flashController.muteConsole(false);
    await repl.softReset();
    const verdict = judgeStart(await repl.watch(START_WATCH_MS, startSettled), tree.entry);
    log(`Start after the copy: ${verdict.title}`);
    state.set({ status: 'done', label: choice.label, files, report, verdict, agentInstalled: agent !== undefined });
  } catch (error) {
    const copying = files.find((f) => f.state === 'writing' || f.state === 'failed');
    const done = files.filter((f) => f.state === 'written' || f.state === 'unchanged' || f.state === 'kept').length;
    const explained = explainTransferError(error, { path: copying?.path, written: done, total: files.length });
    // A release refused before the copy (not trusted, library copy changed) says so in its own words.
    const problem = explained instanceof InstallProblem || explained instanceof InstallRefused ? explained : undefined;
    const message = problem?.message ?? `The copy stopped: ${error instanceof Error ? error.message : String(error)}.`;
    const nextStep = (problem instanceof InstallRefused ? problem.hint : problem?.nextStep) ?? 'Check the console, then try again.';
    log(`${message} ${nextStep}`);
    state.set({ status: 'failed', label: choice.label, files, message, nextStep });
  } finally {
    flashController.muteConsole(false);
    await repl?.leave();
    end();
  }
}

/** The chip the serial bootloader reported, as the agent names it ("ESP32-S3"); ESP32 when it is not known. */
function boardChip(): string {
  const connection = flashState.connection.get();
  return (connection.status === 'connected' && connection.identity.chipFamily) || 'ESP32';
}
