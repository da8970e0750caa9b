// The MicroPython agent's heap, measured in the interpreter with gc.mem_alloc().
// In this WebAssembly port gc.collect() only asks for a collection, which runs when control returns to JavaScript
// (MICROPY_GC_SPLIT_HEAP_AUTO): read in the same turn, gc.mem_alloc() still counts the garbage of everything that
// turn did. So the live heap is read in a call of its own after a collection: when idle, and while requests are held
// in flight (their bodies half sent, the agent inside them); and sampled every 20 ms, garbage included, as the most
// the heap held between collections.
// 1. A 1 MiB firmware upload with 3 chunks in flight (a client with window 4 and 4 connections), and its commit.
// 2. A source-tree update of 206 files: the listing, the payload in 4 KiB chunks one at a time, the commit that
//    re-reads and hashes every staged file; then the boot that swaps them in, and the tree confirmed.
import { connect, type Socket } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMicroPythonAgent, type RunningMicroPythonAgent } from '../agents/micropython/bridge/agent.ts';
import { acceptableOffer, expectOk, makeImage, Probe, type Session } from '../packages/conformance/src/probe.ts';
import { API_BASE } from '../packages/protocol/src/index.ts';
import { appRelease, BOARD_SETTINGS, boardJournal, boardWithEnv, PASSWORD, stageTree } from '../test/integration/micropython-tree-support.ts';

const SIZE = 1 << 20;
const MODULES = 200;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The live heap: a collection when one call into the interpreter ends, then a read in the next. */
async function live(agent: RunningMicroPythonAgent): Promise<number> {
  await agent.board.eval('import gc\ngc.collect()\nresult = None');
  return Number(await agent.board.eval('import gc\nresult = gc.mem_alloc()'));
}

/** Samples the heap every 20 ms, garbage included; the most it held between collections. */
async function sampling(agent: RunningMicroPythonAgent): Promise<() => Promise<number>> {
  await agent.board.eval(`
import asyncio, gc
most = [0]
async def _sample():
    while True:
        most[0] = max(most[0], gc.mem_alloc())
        await asyncio.sleep_ms(20)
asyncio.create_task(_sample())
result = None`);
  return async () => Number(await agent.board.eval('result = most[0]'));
}

/** Signed PUTs of `count` chunks whose bodies stop halfway: the agent is inside each of them until `finish()`. */
async function inFlight(agent: RunningMicroPythonAgent, session: Session, sha256: string, chunks: Uint8Array[], at: number[]): Promise<{ finish(): Promise<void> }> {
  const { port } = new URL(agent.url);
  const sockets: Array<{ socket: Socket; rest: Uint8Array; done: Promise<string> }> = [];
  for (const [i, bytes] of chunks.entries()) {
    const target = `${API_BASE}/updates/${sha256}?offset=${at[i]}`;
    const headers = await session.authHeaders('PUT', target, bytes);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let reply = '';
    socket.on('data', (b: Buffer) => (reply += b.toString()));
    const done = new Promise<string>((resolve) => socket.on('close', () => resolve(reply)));
    const head = [`PUT ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Content-Length: ${bytes.length}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    socket.write(bytes.subarray(0, bytes.length >> 1));
    sockets.push({ socket, rest: bytes.subarray(bytes.length >> 1), done });
  }
  await pause(300);
  return {
    async finish() {
      for (const s of sockets) s.socket.write(s.rest);
      for (const s of sockets) if (!/^HTTP\/1\.1 200 /.test(await s.done)) throw new Error(`a held chunk was refused: ${(await s.done).split('\r\n')[0]}`);
    },
  };
}

async function firmware(): Promise<void> {
  const agent = await startMicroPythonAgent({ dir: mkdtempSync(join(tmpdir(), 'fieldflash-mp-heap-')), settings: {}, secret: PASSWORD, log: () => {} });
  try {
    const idle = await live(agent);
    const most = await sampling(agent);
    const probe = new Probe(agent.url, PASSWORD);
    const doc = await probe.device();
    const session = await probe.login('heap-bench');
    const image = makeImage(SIZE);
    const opened = expectOk(await session.request('POST', 'updates', acceptableOffer(doc, image)), 'the offer') as { chunkSize: number };
    const chunk = opened.chunkSize;
    const started = Date.now();
    // The first three chunks are held in flight, halfway, to read the live heap inside them.
    const held = await inFlight(agent, session, image.sha256, [0, 1, 2].map((i) => image.bytes.subarray(i * chunk, (i + 1) * chunk)), [0, chunk, 2 * chunk]);
    const during = await live(agent);
    await held.finish();
    for (let at = 3 * chunk; at < SIZE; at += 3 * chunk) {
      await Promise.all([0, 1, 2].map((i) => at + i * chunk).filter((o) => o < SIZE).map(async (o) => expectOk(await session.chunk(image.sha256, o, image.bytes.subarray(o, o + chunk)), `chunk ${o}`)));
    }
    expectOk(await session.request('POST', `updates/${image.sha256}/commit`, {}), 'the commit');
    const seconds = (Date.now() - started) / 1000;
    const peak = await most();
    const after = await live(agent);
    probe.close();
    process.stdout.write(`MicroPython agent, 1 MiB firmware upload (${chunk / 1024} KiB chunks, 3 in flight) and commit in ${seconds.toFixed(1)} s:\n`);
    process.stdout.write(`  live heap when idle: ${kib(idle)}\n`);
    process.stdout.write(`  live heap with 3 chunks in flight: ${kib(during)}\n`);
    process.stdout.write(`  the most the heap held between collections, garbage included: ${kib(peak)}\n`);
    process.stdout.write(`  live heap once the upload is committed, its connections still open: ${kib(after)}\n`);
  } finally {
    await agent.close();
  }
}

async function sourceTree(): Promise<void> {
  const dir = boardWithEnv();
  const agent = await startMicroPythonAgent({ dir, settings: BOARD_SETTINGS, secret: PASSWORD, log: () => {} });
  try {
    const release = await appRelease('1.2.0', { modules: MODULES });
    const files = release.files.filter((f) => f.role === 'source');
    const idle = await live(agent);
    const most = await sampling(agent);
    const started = Date.now();
    await stageTree(agent.url, release);
    const seconds = (Date.now() - started) / 1000;
    const peak = await most();
    const staged = await live(agent);
    const probe = new Probe(agent.url, PASSWORD);
    const session = await probe.login('heap-bench');
    expectOk(await session.request('POST', 'reboot', {}), 'the reboot');
    probe.close();
    await pause(1000);
    await agent.settled();
    while (boardJournal(dir).lastUpdate?.outcome === 'pending' || boardJournal(dir).tree?.phase) await pause(50);
    const boot = (await agent.board.eval('result = boot_heap')) as { before: number; after: number };
    const running = await live(agent);
    process.stdout.write(`MicroPython agent, source-tree update of ${files.length} files (${kib(files.reduce((n, f) => n + f.size, 0))}), all sent, listing to commit in ${seconds.toFixed(1)} s:\n`);
    process.stdout.write(`  live heap when idle: ${kib(idle)}\n`);
    process.stdout.write(`  the most the heap held between collections, listing to commit, garbage included: ${kib(peak)}\n`);
    process.stdout.write(`  live heap with the tree committed, waiting for its test boot: ${kib(staged)}\n`);
    process.stdout.write(`  the boot that swaps them in: ${kib(boot.after - boot.before)} allocated by agent.start(), garbage and the modules it loads included (no collection runs inside one call in this port)\n`);
    process.stdout.write(`  live heap once the tree is confirmed and runs (${boardJournal(dir).lastUpdate?.outcome}): ${kib(running)}\n`);
  } finally {
    await agent.close();
  }
}

await firmware();
await sourceTree();
