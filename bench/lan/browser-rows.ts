// The browser rows of the LAN benchmark: the protocol client in Debian Chromium (bench page, page/) against reference
// agents on loopback, each row a ratio against a baseline measured in the same run, with its target.
import { DEFAULTS } from '../../packages/agent/src/index.ts';
import type { BenchAgent } from './agents.ts';
import { bareChannelFromPageSeconds, bareTrials } from './bare-channel.ts';
import { BenchPage } from './browser-page.ts';
import { type ImageFile, writeImageFile } from './image-files.ts';
import { curlSeconds, type Link } from './uploads.ts';
import { reportRow } from '../lib/report-rows.ts';

const MiB = 1024 * 1024;
/** A device's own Wi-Fi link: an ESP32 in the field takes about 1–2 MiB/s. */
const DEVICE_LINK_KIBPS = 1536;
const LIMITED_IMAGE = 6 * MiB;
const MEMORY_IMAGE = 64 * MiB;
/** What the client may hold unacknowledged: the agent's announced window × chunk size. */
const WINDOW_BYTES = DEFAULTS.window * DEFAULTS.chunkSize;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (bytes: number, seconds: number) => `${(bytes / MiB / seconds).toFixed(1)} MiB/s`;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const row = (label: string, seconds: number, bytes: number) => `${label.padEnd(52)}${seconds.toFixed(3)} s  ${rate(bytes, seconds).padStart(11)}`;
/** A ratio and its target, marked met or MISSED; `at most` for a bound. Three decimals, so 0.498 never shows as 0.50. */
const verdict = (ratio: number, target: number, unit = '', bound: 'at least' | 'at most' = 'at least') => {
  const met = bound === 'at least' ? ratio >= target : ratio <= target;
  return `${ratio.toFixed(3)}${unit} (target ${bound === 'at least' ? '>=' : '<='} ${target}${unit}: ${met ? 'met' : 'MISSED'})`;
};

export interface BrowserRowsSetup {
  password: string;
  trials: number;
  /** Where image files go. */
  dir: string;
  /** The agent the Node rows used, its Node link (for curl), and the 16 MiB image on disk. */
  one: BenchAgent;
  link: Link;
  image: ImageFile;
  /** Agents to update at once through device-like links. */
  many: BenchAgent[];
  /** An agent that takes images of 64 MiB. */
  large: BenchAgent;
}

export async function browserRows(setup: BrowserRowsSetup): Promise<void> {
  const { password, trials, one, link, image } = setup;
  const limited = await writeImageFile(setup.dir, 'limited.bin', LIMITED_IMAGE);
  const big = await writeImageFile(setup.dir, 'large.bin', MEMORY_IMAGE);
  const page = await BenchPage.open();
  try {
    await page.useImages([image, limited, big]);
    console.log(
      `\nChromium ${await page.version()}: the bench page on its own origin, requests through CORS, its own RTCDataChannel, files kept in IndexedDB and sent as the app sends its stored releases.`,
    );

    // 1. curl, Chromium over HTTP as the app sends (the rest in one request), its chunks over HTTP (with a speed
    //    limit, or to a device that refuses one request) and over its data channel, all to the same agent,
    //    interleaved; with the chunks sent from memory, which says what reading the File costs them.
    await page.connect(one.url, password);
    await page.openChannel(one.url);
    for (const mode of ['http', 'chunks', 'webrtc'] as const) await page.send([one.url], image.name, mode); // warm-ups, untimed
    await page.send([one.url], image.name, 'chunks', 'memory');
    const [curl, http, chunks, memory, webrtc] = [[], [], [], [], []] as [number[], number[], number[], number[], number[]];
    for (let trial = 0; trial < trials; trial++) {
      curl.push(await curlSeconds(link, one.url, image.path, image));
      http.push((await page.send([one.url], image.name, 'http')).seconds);
      chunks.push((await page.send([one.url], image.name, 'chunks')).seconds);
      memory.push((await page.send([one.url], image.name, 'chunks', 'memory')).seconds);
      webrtc.push((await page.send([one.url], image.name, 'webrtc')).seconds);
    }
    await page.closeChannel(one.url);
    await page.dropMemoryCopies();
    const bare: number[] = [];
    bare.push(...(await bareTrials(Math.max(3, Math.floor(trials / 3)), () => bareChannelFromPageSeconds(page, image.size, DEFAULTS.chunkSize))));
    const [tCurl, tHttp, tChunks, tMemory, tRtc, tBare] = [curl, http, chunks, memory, webrtc, bare].map((xs) => median(xs)) as [number, number, number, number, number, number];
    const size = image.size;
    console.log(row('curl -T, one PUT (baseline)', tCurl, size));
    console.log(`${row('Chromium over HTTP, as the app sends (one request)', tHttp, size)}  -> ${verdict(tCurl / tHttp, 0.8)} of curl's throughput`);
    console.log(`${row(`  Chromium, ${kib(DEFAULTS.chunkSize)} chunks over HTTP (fetch)`, tChunks, size)}  -> ${(tCurl / tChunks).toFixed(2)} of curl's: a speed limit, or a device that refuses one request`);
    console.log(`${row('  Chromium chunks from memory, no Blob reads', tMemory, size)}  -> ${(tCurl / tMemory).toFixed(2)} of curl's; reading the File costs ${(100 * (1 - tMemory / tChunks)).toFixed(0)}% of the chunks' time`);
    console.log(`${row('Chromium over WebRTC (its own RTCDataChannel)', tRtc, size)}  -> ${verdict(tChunks / tRtc, 0.5)} of Chromium's chunks over HTTP`);
    console.log(`${row('  bare data channel from Chromium (its limit)', tBare, size)}  -> the client over WebRTC moves ${(tBare / tRtc).toFixed(2)} of it`);
    const perTrial = (xs: number[], over: number[]) => xs.map((x, i) => over[i]! / x);
    reportRow({ name: 'Chromium over HTTP (fetch), 16 MiB', value: tHttp, unit: 's', baseline: { name: 'curl -T, one PUT', value: tCurl, unit: 's' }, ratio: tCurl / tHttp, ratioOf: "of curl's throughput", target: { atLeast: 0.8 }, runs: perTrial(http, curl) });
    // The data channel always sends chunks: it is set against the same chunks over HTTP, as printed above.
    reportRow({ name: 'Chromium over WebRTC, 16 MiB', value: tRtc, unit: 's', baseline: { name: 'Chromium, chunks over HTTP', value: tChunks, unit: 's' }, ratio: tChunks / tRtc, ratioOf: "of HTTP chunks' throughput", target: { atLeast: 0.5 }, runs: perTrial(webrtc, chunks) });
    reportRow({ name: 'Chromium over WebRTC, 16 MiB, against its bare data channel', value: tRtc, unit: 's', baseline: { name: 'bare data channel from Chromium', value: tBare, unit: 's' }, ratio: tBare / tRtc, ratioOf: "of the channel's throughput" });

    // 2. Eight agents from one page, each behind its own device-like link, against one through the same link.
    const urls = await Promise.all(setup.many.map((a) => a.linkLimited(DEVICE_LINK_KIBPS)));
    for (const url of urls) await page.connect(url, password);
    const alone: number[] = [];
    const together: number[] = [];
    for (let trial = 0; trial < Math.max(3, Math.floor(trials / 3)); trial++) {
      alone.push((await page.send(urls.slice(0, 1), limited.name, 'http')).seconds);
      together.push((await page.send(urls, limited.name, 'http')).seconds);
    }
    const aggOne = limited.size / MiB / median(alone);
    const aggAll = (urls.length * limited.size) / MiB / median(together);
    console.log(
      `${urls.length} agents from one page over HTTP, each behind its own ${(DEVICE_LINK_KIBPS / 1024).toFixed(1)} MiB/s link (a proxy in the agent's process), ${LIMITED_IMAGE / MiB} MiB each:\n` +
        `  one ${aggOne.toFixed(2)} MiB/s (baseline), ${urls.length} at once ${aggAll.toFixed(2)} MiB/s in all -> ${verdict(aggAll / aggOne, 7, 'x')}`,
    );
    reportRow({ name: `${urls.length} agents from one page, each behind a ${(DEVICE_LINK_KIBPS / 1024).toFixed(1)} MiB/s link`, value: aggAll, unit: 'MiB/s', baseline: { name: 'one agent', value: aggOne, unit: 'MiB/s' }, ratio: aggAll / aggOne, ratioOf: 'x one agent', target: { atLeast: 7 } });

    // 3. The page's memory while it sends 64 MiB, after one untimed send (code compiled, connections open): as found,
    //    then with a full GC before each sample (what the page holds); as the app sends over HTTP, and in chunks.
    await page.connect(setup.large.url, password);
    const window = `${DEFAULTS.window} x ${kib(DEFAULTS.chunkSize)} = ${kib(WINDOW_BYTES)}`;
    let idle = 0;
    const lines: string[] = [];
    for (const [mode, label] of [['http', 'as the app sends (one request)'], ['chunks', 'in chunks (a speed limit, WebRTC)']] as const) {
      await page.send([setup.large.url], big.name, mode);
      const found = await page.memoryDuring(() => page.send([setup.large.url], big.name, mode), 'found');
      const held = await page.memoryDuring(() => page.send([setup.large.url], big.name, mode), 'held');
      idle = found.memory.idle;
      lines.push(
        `  ${label}, ${rate(big.size, found.result.seconds)}:\n` +
          `    as found (${found.memory.samples} samples) +${kib(found.memory.peak)} -> ${verdict(found.memory.peak / WINDOW_BYTES, 4, 'x', 'at most')} the window\n` +
          `    held (a GC before each of ${held.memory.samples} samples) +${kib(held.memory.peak)} -> ${verdict(held.memory.peak / WINDOW_BYTES, 4, 'x', 'at most')} the window`,
      );
      reportRow({ name: `page memory while sending ${MEMORY_IMAGE / MiB} MiB, ${label}, as found`, value: found.memory.peak / 1024, unit: 'KiB', baseline: { name: 'chunk window', value: WINDOW_BYTES / 1024, unit: 'KiB' }, ratio: found.memory.peak / WINDOW_BYTES, ratioOf: 'x window', target: { atMost: 4 } });
    }
    console.log(
      `Page memory while sending ${MEMORY_IMAGE / MiB} MiB over HTTP (JS heap + ArrayBuffers over CDP, above the idle page after a GC, ${(idle / MiB).toFixed(1)} MiB; window ${window}; the image is ${(MEMORY_IMAGE / WINDOW_BYTES).toFixed(0)}x it):\n` +
        lines.join('\n'),
    );
  } finally {
    await page.close();
  }
}
