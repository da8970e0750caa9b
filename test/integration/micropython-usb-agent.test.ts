// The FieldFlash agent installed over USB with an application, on the simulated ESP32 running the real MicroPython
// interpreter: the agent's package, its settings and pairing key (derived by the installer, never the code itself)
// and the board's main.py land on the board beside the application in /app; main.py starts the application, saying
// the agent cannot listen on a board with no network module. The board's saved flash then runs on the agent's Node
// bridge (`npm run agent:micropython -- --flash-file`), which answers as that board and takes the pairing code; an
// image that holds no board is refused in plain words.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatedSerialPort, type EspEmulator } from '@fieldflash/esp-emulator';
import { generatePairingCode } from '@fieldflash/protocol';
import { decodeVfsImage } from '../../packages/esp-emulator/src/micropython/vfs-image.ts';
import { flashedChip, VFS_OFFSET } from '../../packages/esp-emulator/test/helpers/micropython-board.ts';
import { microPythonAppTree } from '../../scripts/micropython-app-release.ts';
import { withAgent, type AgentIdentity } from '../../src/micropython/agent-install.ts';
import { RawRepl } from '../../src/micropython/raw-repl.ts';
import { judgeStart, startSettled } from '../../src/micropython/start-verdict.ts';
import { installTree, sha256Hex, type SourceTree } from '../../src/micropython/tree-install.ts';
import { SerialMonitor } from '../../src/serial/serial-monitor.ts';
import { deviceDir } from './agent-support.ts';
import { logsIn, runSavedBoard, type RunningBridge } from './micropython-bridge.support.ts';

const AGENT_CLI = fileURLToPath(new URL('../../agents/micropython/bridge/cli.ts', import.meta.url));

/** The command to its end: its exit code and everything it printed. */
function runCli(...args: string[]): { code: number | null; out: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', AGENT_CLI, ...args], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout + run.stderr };
}

const AGENT_DIR = fileURLToPath(new URL('../../agents/micropython/fieldflash/', import.meta.url));
const BOARD_MAIN = fileURLToPath(new URL('../../agents/micropython/board/main.py', import.meta.url));
const IDENTITY: AgentIdentity = { product: 'Bench Sensor', chipFamily: 'ESP32', board: 'esp32-generic', version: '1.0.0', sequence: 1, securityVersion: 0 };

const open: Array<{ chip: EspEmulator; monitor: SerialMonitor }> = [];
const bridges: RunningBridge[] = [];
afterEach(async () => {
  for (const { chip, monitor } of open.splice(0)) {
    await monitor.close();
    chip.dispose();
  }
  for (const bridge of bridges.splice(0)) bridge.stop();
});

async function appTree(): Promise<SourceTree> {
  const encoder = new TextEncoder();
  const files = await Promise.all(
    Object.entries(microPythonAppTree('1.0.0')).map(async ([path, text]) => ({ path, data: encoder.encode(text), sha256: await sha256Hex(encoder.encode(text)) })),
  );
  return { label: 'Bench Sensor 1.0.0', version: '1.0.0', files, deviceLocal: ['env.py'], entry: 'main' };
}

async function monitoredBoard(chip: EspEmulator): Promise<SerialMonitor> {
  let console = '';
  const monitor = await SerialMonitor.open(new EmulatedSerialPort(chip) as unknown as SerialPort, 115200, { onText: (text) => (console += text) });
  open.push({ chip, monitor });
  await monitor.resetBoard();
  const deadline = Date.now() + 10_000;
  while (!console.includes('>>> ')) {
    if (Date.now() > deadline) throw new Error(`the board did not reach its REPL: ${console}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return monitor;
}

async function install(monitor: SerialMonitor, tree: SourceTree) {
  const repl = await RawRepl.enter(monitor.share());
  try {
    const report = await installTree(repl, tree, () => undefined);
    await repl.softReset();
    return { report, verdict: judgeStart(await repl.watch(8000, startSettled), tree.entry) };
  } finally {
    await repl.leave();
  }
}

function boardFiles(chip: EspEmulator): Map<string, Uint8Array> {
  const contents = decodeVfsImage(chip.readFlash(VFS_OFFSET, 0x200000));
  if (contents.kind !== 'files') throw new Error(`vfs partition is ${contents.kind}`);
  return new Map(contents.entries.flatMap((e) => (e.kind === 'file' ? [[e.path, e.bytes] as const] : [])));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : name.endsWith('.py') ? [path] : [];
  });
}

describe('the FieldFlash agent installed over USB', () => {
  it('lands beside the application in /app, which starts; the saved board runs on the bridge and takes the pairing code', async () => {
    const chip = await flashedChip();
    const monitor = await monitoredBoard(chip);
    const secret = generatePairingCode();
    const tree = await withAgent(await appTree(), IDENTITY, secret);
    const first = await install(monitor, tree);
    expect(first.report).toMatchObject({ written: tree.files.length, unchanged: 0, kept: 0 });
    expect(first.verdict).toMatchObject({
      outcome: 'started',
      title: 'app/main.py started: “Bench Sensor 1.0.0 reads 21.5 C on the bench - 150 readings kept” (it ended; the REPL is back).',
      agent: 'this board has no network module, so the agent does not listen; the application runs without LAN updates',
    });

    const onBoard = boardFiles(chip);
    const agentFiles = filesUnder(AGENT_DIR);
    expect(agentFiles.length).toBeGreaterThan(10);
    for (const path of agentFiles) {
      const boardPath = `lib/fieldflash/${relative(AGENT_DIR, path).split('\\').join('/')}`;
      expect(Buffer.from(onBoard.get(boardPath) ?? []).equals(readFileSync(path)), boardPath).toBe(true);
    }
    expect(Buffer.from(onBoard.get('main.py')!).equals(readFileSync(BOARD_MAIN))).toBe(true);
    for (const [path, text] of Object.entries(microPythonAppTree('1.0.0'))) expect(new TextDecoder().decode(onBoard.get(`app/${path}`)), path).toBe(text);
    expect(new TextDecoder().decode(onBoard.get('app/.version'))).toBe('1.0.0');
    expect(JSON.parse(new TextDecoder().decode(onBoard.get('fieldflash/agent.json')))).toEqual({
      agent: { product: 'Bench Sensor', chip_family: 'ESP32', board: 'esp32-generic', version: '1.0.0', sequence: 1, security_version: 0 },
      port: 8070,
      entry: 'main',
    });
    const auth = new TextDecoder().decode(onBoard.get('fieldflash/auth.json'));
    expect(Object.keys(JSON.parse(auth)).sort()).toEqual(['iterations', 'key', 'salt']);
    expect(auth).not.toContain(secret);
    expect(auth).not.toContain(secret.replace(/-/g, ''));

    // Installed again with a new pairing code: only the key changes.
    const again = await install(monitor, await withAgent(await appTree(), IDENTITY, generatePairingCode()));
    expect(again.report).toMatchObject({ written: 1, unchanged: tree.files.length - 1 });

    const newest = await withAgent(await appTree(), IDENTITY, secret);
    expect((await install(monitor, newest)).report).toMatchObject({ written: 1 });
    const bridge = await runSavedBoard(chip.readFlash(0, 0x400000));
    bridges.push(bridge);
    expect(bridge.out).toMatch(/Unpacked \d+ files of the saved board/);
    expect(bridge.out).toContain('(Bench Sensor 1.0.0, ESP32 esp32-generic)');
    expect(readFileSync(join(bridge.dir, 'flash', 'app', 'main.py'), 'utf8')).toBe(microPythonAppTree('1.0.0')['main.py']);
    expect(await logsIn(bridge.url, secret)).toBe(true);
    expect(await logsIn(bridge.url, generatePairingCode())).toBe(false);
  }, 120_000);

  it('refuses a pairing code that is easy to guess before anything is copied', async () => {
    await expect(withAgent(await appTree(), IDENTITY, 'demo')).rejects.toThrow(/too easy to guess: about \d+ bits, and the agent needs 80\. Nothing was copied\./);
  });

  it('says what is wrong with a flash image that holds no board, or a DIR that holds one already', async () => {
    const dir = deviceDir();
    const noTable = `${dir}-blank.bin`;
    writeFileSync(noTable, new Uint8Array(0x400000).fill(0xff));
    let run = runCli('--dir', dir, '--flash-file', noTable);
    expect(run.code).toBe(2);
    expect(run.out).toContain('The flash image has no readable partition table at 0x8000');
    expect(run.out).toContain('Save the flash of a board flashed with MicroPython.');

    const chip = await flashedChip();
    const erased = `${dir}-erased.bin`;
    writeFileSync(erased, chip.readFlash(0, 0x400000));
    chip.dispose();
    run = runCli('--dir', dir, '--flash-file', erased);
    expect(run.code).toBe(2);
    expect(run.out).toContain("The board's filesystem is empty (its vfs partition is erased)");

    mkdirSync(join(dir, 'flash'), { recursive: true });
    writeFileSync(join(dir, 'flash', 'main.py'), 'print(1)\n');
    run = runCli('--dir', dir, '--flash-file', erased);
    expect(run.code).toBe(2);
    expect(run.out).toContain(`${join(dir, 'flash')} already holds a board's files. Give a new --dir for the saved board`);
  });
});

