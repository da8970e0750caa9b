// Installing a source tree over the raw REPL against the simulated ESP32 running the real MicroPython interpreter,
// through the same serial monitor and shared port view the Flash view uses: incremental copies, env.py kept,
// .version, the start verdict, and the bad cases (not MicroPython, a full filesystem, a cable pulled mid-file).
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatedSerialPort, type EspEmulator } from '@fieldflash/esp-emulator';
import { decodeVfsImage } from '../../packages/esp-emulator/src/micropython/vfs-image.ts';
import { flashedChip, VFS_OFFSET } from '../../packages/esp-emulator/test/helpers/micropython-board.ts';
import { SerialMonitor } from '../../src/serial/serial-monitor.ts';
import { demoTree } from '../../src/micropython/demo-trees.ts';
import { InstallProblem } from '../../src/micropython/install-problems.ts';
import { RawRepl } from '../../src/micropython/raw-repl.ts';
import { judgeStart, startSettled } from '../../src/micropython/start-verdict.ts';
import { installTree, sha256Hex, type FileProgress, type SourceTree } from '../../src/micropython/tree-install.ts';

const open: Array<{ chip: EspEmulator; monitor: SerialMonitor }> = [];
afterEach(async () => {
  for (const { chip, monitor } of open.splice(0)) {
    await monitor.close();
    chip.dispose();
  }
});

/** The Flash view's state after a flash: the monitor open, the board reset into its app. */
async function monitoredBoard(chip: EspEmulator) {
  const port = new EmulatedSerialPort(chip) as unknown as SerialPort;
  let console = '';
  const monitor = await SerialMonitor.open(port, 115200, { onText: (text) => (console += text) });
  open.push({ chip, monitor });
  await monitor.resetBoard();
  await until(() => console.includes('>>> ') || console.includes('No bootable app partitions'));
  return { monitor, console: () => console };
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function install(monitor: SerialMonitor, tree: SourceTree) {
  const repl = await RawRepl.enter(monitor.share());
  const seen: FileProgress[][] = [];
  try {
    const report = await installTree(repl, tree, (files) => seen.push([...files]));
    await repl.softReset();
    const output = await repl.watch(8000, startSettled);
    return { report, seen, verdict: judgeStart(output, tree.entry) };
  } finally {
    await repl.leave();
  }
}

function boardFiles(chip: EspEmulator, size = 0x200000): Map<string, string> {
  const contents = decodeVfsImage(chip.readFlash(VFS_OFFSET, size));
  if (contents.kind !== 'files') throw new Error(`vfs partition is ${contents.kind}`);
  return new Map(contents.entries.flatMap((e) => (e.kind === 'file' ? [[e.path, new TextDecoder().decode(e.bytes)] as const] : [])));
}

const text = (tree: SourceTree, path: string) => new TextDecoder().decode(tree.files.find((f) => f.path === path)!.data as Uint8Array);

describe('installing a source tree over the raw REPL', () => {
  it('copies every file, records .version, and the soft reset shows the entry module starting', async () => {
    const chip = await flashedChip();
    const { monitor } = await monitoredBoard(chip);
    const tree = await demoTree('1.0.0');
    const { report, seen, verdict } = await install(monitor, tree);
    expect(report).toMatchObject({ written: 4, unchanged: 0, kept: 0 });
    expect(seen.some((files) => files.find((f) => f.path === 'lib/messages.py')?.state === 'writing')).toBe(true);
    expect(seen.at(-1)!.map((f) => f.state)).toEqual(['written', 'written', 'written', 'written']);
    expect(verdict).toMatchObject({ outcome: 'started', title: 'main.py started: “FieldFlash demo app 1.0.0 started on bench board - 120 tips loaded” (it ended; the REPL is back).' });
    const files = boardFiles(chip);
    for (const f of tree.files) expect(files.get(f.path), f.path).toBe(text(tree, f.path));
    expect(files.get('.version')).toBe('1.0.0');
    expect([...files.keys()].filter((p) => p.endsWith('.part'))).toEqual([]);
  });

  it('skips files whose digest matches, never overwrites env.py, and writes only what changed', async () => {
    const chip = await flashedChip();
    const { monitor } = await monitoredBoard(chip);
    await install(monitor, await demoTree('1.0.0'));
    expect((await install(monitor, await demoTree('1.0.0'))).report).toMatchObject({ written: 0, unchanged: 3, kept: 1 });

    // The technician names the board; the next version keeps that.
    const repl = await RawRepl.enter(monitor.share());
    await repl.exec("f = open('env.py', 'w')\nf.write('BOARD_NAME = \"line 3\"\\n')\nf.close()");
    await repl.leave();
    const next = await demoTree('1.1.0');
    const { report, verdict } = await install(monitor, next);
    expect(report).toMatchObject({ written: 2, unchanged: 1, kept: 1 });
    expect(verdict.title).toMatch(/^main\.py started: “FieldFlash demo app 1\.1\.0 started on line 3 - 120 tips loaded”/);
    expect(boardFiles(chip).get('env.py')).toBe('BOARD_NAME = "line 3"\n');
    expect(boardFiles(chip).get('.version')).toBe('1.1.0');
  });

  it('says so in plain words when the entry module raises', async () => {
    const chip = await flashedChip();
    const { monitor } = await monitoredBoard(chip);
    const tree = await demoTree('1.0.0');
    const broken = new TextEncoder().encode('print("starting")\nimport missing_module\n');
    const bad: SourceTree = { ...tree, files: tree.files.map((f) => (f.path === 'main.py' ? { ...f, data: broken, sha256: '' } : f)) };
    bad.files.find((f) => f.path === 'main.py')!.sha256 = await sha256Hex(broken);
    const { verdict } = await install(monitor, bad);
    expect(verdict.outcome).toBe('crashed');
    expect(verdict.title).toBe("main.py started but stopped with an error: ImportError: no module named 'missing_module' (main.py, line 2).");
  });

  it('refuses a board that is not running MicroPython, copying nothing', async () => {
    const chip = await flashedChip();
    chip.loadFlash(0x10000, new Uint8Array(0x1000).fill(0xff)); // no app: the bootloader complains and resets
    const { monitor } = await monitoredBoard(chip);
    const attempt = RawRepl.enter(monitor.share()).then(
      (r) => r.leave(),
      (e: unknown) => e,
    );
    const error = await attempt;
    expect(error).toMatchObject({ name: 'NotMicroPython' });
  });

  it('stops on a full filesystem with the old file intact and no partial copy left', async () => {
    const chip = await flashedChip({ vfsSize: 0x10000 });
    const { monitor } = await monitoredBoard(chip);
    const small = await demoTree('1.0.0');
    await install(monitor, small);
    const big = new TextEncoder().encode(`DATA = ${JSON.stringify('x'.repeat(80 * 1024))}\n`);
    const tree: SourceTree = { ...small, files: [...small.files, { path: 'lib/big.py', data: big, sha256: await sha256Hex(big) }] };
    const error = await install(monitor, tree).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstallProblem);
    expect((error as InstallProblem).code).toBe('filesystem-full');
    expect((error as InstallProblem).message).toMatch(/^The board's filesystem is full: lib\/big\.py \(80\.0 KiB\) did not fit\. [\d.]+ KiB of 64\.0 KiB is free\./);
    const files = boardFiles(chip, 0x10000);
    expect(files.has('lib/big.py.part')).toBe(false);
    expect(files.get('main.py')).toBe(text(small, 'main.py'));
  });

  it('a cable pulled mid-file leaves the old file in place; the retry completes and skips what was done', async () => {
    const chip = await flashedChip();
    let { monitor } = await monitoredBoard(chip);
    const first = await demoTree('1.0.0');
    await install(monitor, first);
    const next = await demoTree('1.1.0');
    // main.py goes first; the cable comes out a few KiB into lib/messages.py.
    chip.setFaults({ unplug: { afterBytes: 6000 } });
    const error = await install(monitor, next).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstallProblem);
    expect((error as InstallProblem).code).toBe('cable-pulled');
    expect((error as InstallProblem).message).toMatch(/while copying lib\/messages\.py\. The board still has its previous lib\/messages\.py/);
    expect(boardFiles(chip).get('lib/messages.py')).toBe(text(first, 'lib/messages.py'));
    expect(boardFiles(chip).get('.version')).toBe('1.0.0');

    await monitor.close();
    open.pop();
    chip.setFaults({});
    chip.replug();
    ({ monitor } = await monitoredBoard(chip));
    const { report, verdict } = await install(monitor, next);
    expect(report).toMatchObject({ written: 1, unchanged: 2, kept: 1 });
    expect(verdict.outcome).toBe('started');
    expect(boardFiles(chip).get('lib/messages.py')).toBe(text(next, 'lib/messages.py'));
    expect(boardFiles(chip).get('.version')).toBe('1.1.0');
  });
});
