// The MicroPython agent's heap during a 1 MiB firmware upload, measured in the interpreter with gc.mem_alloc():
// the live heap (after gc.collect(), what must fit in the board's free heap) sampled every 20 ms, and the most
// allocated between collections. The upload keeps 3 chunks in flight, as a client does with window 4 and 4 connections.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMicroPythonAgent } from '../agents/micropython/bridge/agent.ts';
import { acceptableOffer, expectOk, makeImage, Probe } from '../packages/conformance/src/probe.ts';

const PASSWORD = 'correct horse battery staple';
const SIZE = 1 << 20;

const agent = await startMicroPythonAgent({ dir: mkdtempSync(join(tmpdir(), 'fieldflash-mp-heap-')), settings: {}, secret: PASSWORD, log: () => {} });
try {
  await agent.board.eval(`
import asyncio, gc
heap = {'live': 0, 'peak': 0, 'idle': 0}
gc.collect()
heap['idle'] = gc.mem_alloc()
async def _sample():
    n = 0
    while True:
        heap['peak'] = max(heap['peak'], gc.mem_alloc())
        n += 1
        if n % 20 == 0:
            gc.collect()
            heap['live'] = max(heap['live'], gc.mem_alloc())
        await asyncio.sleep_ms(1)
asyncio.create_task(_sample())
result = None`);
  const probe = new Probe(agent.url, PASSWORD);
  const doc = await probe.device();
  const session = await probe.login('heap-bench');
  const image = makeImage(SIZE);
  const opened = expectOk(await session.request('POST', 'updates', acceptableOffer(doc, image)), 'the offer') as { chunkSize: number };
  const started = Date.now();
  for (let at = 0; at < SIZE; at += 3 * opened.chunkSize) {
    await Promise.all([0, 1, 2].map((i) => at + i * opened.chunkSize).filter((o) => o < SIZE).map(async (o) => expectOk(await session.chunk(image.sha256, o, image.bytes.subarray(o, o + opened.chunkSize)), `chunk ${o}`)));
  }
  expectOk(await session.request('POST', `updates/${image.sha256}/commit`, {}), 'the commit');
  const seconds = (Date.now() - started) / 1000;
  const heap = (await agent.board.eval('result = heap')) as { live: number; peak: number; idle: number };
  probe.close();
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  process.stdout.write(`MicroPython agent, 1 MiB firmware upload (${opened.chunkSize / 1024} KiB chunks, 3 in flight) and commit in ${seconds.toFixed(1)} s:\n`);
  process.stdout.write(`  heap in use when idle (after gc.collect()): ${kib(heap.idle)}\n`);
  process.stdout.write(`  peak live heap during the upload (after gc.collect()): ${kib(heap.live)}\n`);
  process.stdout.write(`  peak gc.mem_alloc() between collections: ${kib(heap.peak)}\n`);
} finally {
  await agent.close();
}
