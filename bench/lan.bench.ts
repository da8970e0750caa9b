// LAN benchmark: a 16 MiB image to reference agents on loopback (each in its own process), measured in one run
// against curl uploading the same bytes to the same agent in one request (the single-request upload of
// docs/protocol.md §4.6). Every request is signed (§3.3), curl's too; the MAC work alone gets its own row.
// Medians of interleaved trials; ratios against the baselines of the same run. Then the browser rows: the client in
// Chromium, from a page on its own origin, against curl and its own HTTP, eight device-like links, and page memory.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { bytesImage, openDataChannel, type Transport } from '@fieldflash/protocol';
import { DEFAULTS } from '../packages/agent/src/index.ts';
import { BenchAgent, type MemoryPeak } from './lan/agents.ts';
import { macSeconds } from './lan/auth-cost.ts';
import { bareChannelSeconds, bareTrials } from './lan/bare-channel.ts';
import { browserRows } from './lan/browser-rows.ts';
import { clientSeconds, connect, curlSeconds, oneRequestSeconds } from './lan/uploads.ts';
import { reportRow } from './lib/report-rows.ts';

const PASSWORD = 'bench password';
const MiB = 1024 * 1024;
const SIZE = 16 * MiB;
const TRIALS = Number(process.env.LAN_BENCH_TRIALS ?? 9);
const PARALLEL = 8;
/** The chunk window the reference agent announces by default. */
const WINDOW_BYTES = DEFAULTS.window * DEFAULTS.chunkSize;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (bytes: number, seconds: number) => `${(bytes / MiB / seconds).toFixed(1)} MiB/s`;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

function newImage(size: number) {
  const bytes = new Uint8Array(randomBytes(size));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, source: bytesImage(bytes, sha256) };
}

async function webrtcTo(link: Awaited<ReturnType<typeof connect>>): Promise<Transport> {
  return openDataChannel(link.http, link.credentials, () => new RTCPeerConnection({ iceServers: [] }) as never);
}

console.log(`LAN benchmark: ${SIZE / MiB} MiB image, agents on 127.0.0.1 in their own processes, ${cpus().length} cores, ${TRIALS} trials (medians).`);
const agents = await Promise.all(Array.from({ length: PARALLEL }, () => BenchAgent.start(PASSWORD)));
try {
  const one = agents[0]!;
  const link = await connect(one.url, PASSWORD);
  const channel = await webrtcTo(link);
  const image = newImage(SIZE);
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-bench-'));
  const file = join(dir, 'image.bin');
  writeFileSync(file, image.bytes);

  // 1. curl vs the client over HTTP vs over WebRTC, interleaved so the machine's load hits all three alike.
  const curl: number[] = [];
  const single: number[] = [];
  const http: number[] = [];
  const fetched: number[] = [];
  const webrtc: number[] = [];
  await oneRequestSeconds(link.http, image.source); // warm-up, untimed
  await clientSeconds(link.http, image.source);
  for (let trial = 0; trial < TRIALS; trial++) {
    curl.push(await curlSeconds(link, one.url, file, image.source));
    single.push(await oneRequestSeconds(link.http, image.source));
    http.push(await clientSeconds(link.http, image.source));
    // Node's fetch does not send again on a kept-alive connection the device closed (Chromium does, and node:http
    // does in NodeHttpTransport): with node:http's idle connections still open, the agent's connection cap (§1.3)
    // would evict fetch's idle ones, the oldest, just as fetch reuses one, and the trial would fail.
    link.http.close();
    fetched.push(await clientSeconds(link.fetch, image.source));
    webrtc.push(await clientSeconds(channel, image.source));
  }
  const [tCurl, tSingle, tHttp, tFetch, tRtc] = [median(curl), median(single), median(http), median(fetched), median(webrtc)];
  const row = (label: string, t: number) => `${label.padEnd(52)}${t.toFixed(3)} s  ${rate(SIZE, t).padStart(11)}`;
  console.log(`\n${row('curl -T, one PUT, no chunk digests (baseline)', tCurl)}`);
  console.log(`${row('client over HTTP (node:http, as push: one request)', tSingle)}  -> ${(tCurl / tSingle).toFixed(2)} of curl's throughput (goal >= 0.9)`);
  console.log(`${row('  its chunks over HTTP (a speed limit, or a device that refuses one request)', tHttp)}  -> ${(tCurl / tHttp).toFixed(2)} of curl's throughput`);
  const curlRow = { name: 'curl -T, one PUT', value: tCurl, unit: 's' };
  reportRow({ name: 'client over HTTP (node:http), as push sends (one request), 16 MiB', value: tSingle, unit: 's', baseline: curlRow, ratio: tCurl / tSingle, ratioOf: "of curl's throughput", target: { atLeast: 0.9 }, runs: single.map((t, i) => curl[i]! / t) });
  reportRow({ name: 'client over HTTP (node:http), in chunks, 16 MiB', value: tHttp, unit: 's', baseline: curlRow, ratio: tCurl / tHttp, ratioOf: "of curl's throughput", runs: http.map((t, i) => curl[i]! / t) });
  console.log(`${row("client over HTTP (Node's built-in fetch)", tFetch)}  -> ${(tCurl / tFetch).toFixed(2)} of curl's throughput`);
  const chunks = Math.ceil(SIZE / DEFAULTS.chunkSize);
  const tMac = await macSeconds(chunks);
  console.log(
    `${'authentication alone: sign + check each request MAC'.padEnd(52)}${tMac.toFixed(3)} s  ` +
      `-> ${((100 * tMac) / tHttp).toFixed(2)}% of the client's HTTP transfer (${chunks} requests, ${((tMac / chunks) * 1e6).toFixed(0)} µs each)`,
  );
  console.log(`${row('client over WebRTC (node-datachannel)', tRtc)}  -> ${(tHttp / tRtc).toFixed(2)} of HTTP's throughput (goal >= 0.5)`);
  reportRow({ name: 'client over WebRTC (node-datachannel), 16 MiB', value: tRtc, unit: 's', baseline: { name: 'client, chunks over HTTP', value: tHttp, unit: 's' }, ratio: tHttp / tRtc, ratioOf: "of HTTP chunks' throughput", target: { atLeast: 0.5 }, runs: webrtc.map((t, i) => http[i]! / t) });
  const bare: number[] = [];
  bare.push(...(await bareTrials(Math.max(3, Math.floor(TRIALS / 3)), () => bareChannelSeconds(SIZE, DEFAULTS.chunkSize))));
  const tBare = median(bare);
  console.log(`${row('bare data channel, no FieldFlash code (its limit)', tBare)}  -> client over WebRTC moves ${(tBare / tRtc).toFixed(2)} of it`);
  reportRow({ name: 'client over WebRTC (node-datachannel), 16 MiB, against its bare data channel', value: tRtc, unit: 's', baseline: { name: 'bare data channel', value: tBare, unit: 's' }, ratio: tBare / tRtc, ratioOf: "of the channel's throughput" });
  console.log(`Client: the agent's default ${kib(DEFAULTS.chunkSize)} chunks, ${DEFAULTS.window} in flight, each with its SHA-256 checked by the agent; timed from the first chunk to the last ack.`);
  channel.close();

  // 1b. The same against an agent that announces 64 KiB chunks, 8 in flight: what per-request costs do to small chunks.
  const big = await BenchAgent.start(PASSWORD, { size: 64 * 1024, window: 8 });
  try {
    const bigLink = await connect(big.url, PASSWORD);
    const bigCurl: number[] = [];
    const bigHttp: number[] = [];
    await clientSeconds(bigLink.http, image.source);
    for (let trial = 0; trial < TRIALS; trial++) {
      bigCurl.push(await curlSeconds(bigLink, big.url, file, image.source));
      bigHttp.push(await clientSeconds(bigLink.http, image.source));
    }
    const [tBigCurl, tBigHttp] = [median(bigCurl), median(bigHttp)];
    console.log(`\nAgent announcing 64 KiB chunks, 8 in flight:`);
    console.log(`${row('curl -T, one PUT (baseline)', tBigCurl)}`);
    console.log(`${row('client, 64 KiB chunks over HTTP (node:http)', tBigHttp)}  -> ${(tBigCurl / tBigHttp).toFixed(2)} of curl's throughput`);
    const smallChunks = Math.ceil(SIZE / (64 * 1024));
    const tSmallMac = await macSeconds(smallChunks);
    console.log(`${'authentication alone: sign + check each request MAC'.padEnd(52)}${tSmallMac.toFixed(3)} s  -> ${((100 * tSmallMac) / tBigHttp).toFixed(2)}% of the transfer (${smallChunks} requests)`);
  } finally {
    await big.close();
  }

  // 2. The agent's memory while receiving, on an agent that has only ever received over HTTP (one warm-up transfer),
  // so nothing left from earlier work is freed during the measurement and hides the peak.
  const fresh = agents[1]!;
  const freshLink = await connect(fresh.url, PASSWORD);
  await clientSeconds(freshLink.http, image.source);
  // Each is measured twice and the second kept: during the first, memory left from the transfer before is still
  // being released, which moves the low point the peak is measured from.
  const mem = async (label: string, work: () => Promise<number>) => {
    await fresh.measure(work);
    const { memory } = await fresh.measure(work);
    return { label, memory };
  };
  const memories: Array<{ label: string; memory: MemoryPeak }> = [
    await mem('client over HTTP, as push sends (one request)', () => oneRequestSeconds(freshLink.http, image.source)),
    await mem(`client over HTTP (${DEFAULTS.window} chunks in flight)`, () => clientSeconds(freshLink.http, image.source)),
    await mem('curl, one streamed PUT', () => curlSeconds(freshLink, fresh.url, file, image.source)),
  ];
  console.log(`\nAgent memory while receiving ${SIZE / MiB} MiB (heap + external, sampled every 5 ms; chunk window ${kib(WINDOW_BYTES)}, goal: under 2x the window, ${kib(2 * WINDOW_BYTES)}):`);
  for (const { label, memory } of memories) {
    console.log(`  ${label.padEnd(40)} held (after GC) +${kib(memory.live)} = ${(memory.live / WINDOW_BYTES).toFixed(2)}x window; as found, garbage included +${kib(memory.found)} = ${(memory.found / WINDOW_BYTES).toFixed(2)}x; ${memory.samples} samples from ${(memory.base / MiB).toFixed(1)} MiB`);
    reportRow({ name: `agent memory held while receiving, ${label}`, value: memory.live / 1024, unit: 'KiB', baseline: { name: 'chunk window', value: WINDOW_BYTES / 1024, unit: 'KiB' }, ratio: memory.live / WINDOW_BYTES, ratioOf: 'x window', target: { atMost: 2 } });
  }

  // 3. Eight devices at once against one, first on raw loopback, then with each device's link carrying 4 MiB/s.
  const links = await Promise.all(agents.map((a) => connect(a.url, PASSWORD)));
  const aggregate = async (count: number, bytes: number, throttle?: number) => {
    const img = newImage(bytes);
    const seconds: number[] = [];
    for (let trial = 0; trial < Math.max(1, Math.floor(TRIALS / 2)); trial++) {
      const started = performance.now();
      await Promise.all(links.slice(0, count).map((l) => clientSeconds(l.http, img.source, throttle)));
      seconds.push((performance.now() - started) / 1000);
    }
    return (count * bytes) / MiB / median(seconds);
  };
  console.log(`\n${PARALLEL} agents updated in parallel vs one (aggregate throughput, goal >= 4x):`);
  const loopOne = await aggregate(1, SIZE);
  const loopAll = await aggregate(PARALLEL, SIZE);
  console.log(`  raw loopback, ${SIZE / MiB} MiB each:        one ${loopOne.toFixed(1)} MiB/s, ${PARALLEL} at once ${loopAll.toFixed(1)} MiB/s -> ${(loopAll / loopOne).toFixed(2)}x`);
  const aggregateRow = (name: string, one: number, all: number, note?: string) =>
    reportRow({ name, value: all, unit: 'MiB/s', baseline: { name: 'one agent', value: one, unit: 'MiB/s' }, ratio: all / one, ratioOf: 'x one agent', ...(note ? { note } : { target: { atLeast: 4 } }) });
  aggregateRow(`${PARALLEL} agents at once over raw loopback`, loopOne, loopAll, 'one transfer already keeps the cores busy, so more at once share the same CPU');
  const linkOne = await aggregate(1, 4 * MiB, 4096);
  const linkAll = await aggregate(PARALLEL, 4 * MiB, 4096);
  console.log(`  4 MiB/s device links, 4 MiB each:  one ${linkOne.toFixed(1)} MiB/s, ${PARALLEL} at once ${linkAll.toFixed(1)} MiB/s -> ${(linkAll / linkOne).toFixed(2)}x`);
  aggregateRow(`${PARALLEL} agents at once behind 4 MiB/s device links`, linkOne, linkAll);
  console.log(
    `  On raw loopback one transfer already keeps both cores busy (client hashing and sending, agent hashing and writing),\n` +
      `  so ${PARALLEL} at once share the same CPU; when devices' links are the limit, as on a real LAN, they add up.`,
  );

  // 4. The same from a web page: Chromium against the same agents, and one that takes a 64 MiB image (browser-rows.ts).
  const large = await BenchAgent.start(PASSWORD, undefined, 64 * MiB);
  try {
    const image16 = { path: file, name: 'image.bin', size: SIZE, sha256: image.sha256 };
    await browserRows({ password: PASSWORD, trials: TRIALS, dir, one, link: await connect(one.url, PASSWORD), image: image16, many: agents, large });
  } finally {
    await large.close();
  }
} finally {
  await Promise.all(agents.map((a) => a.close()));
}
process.exit(0);
