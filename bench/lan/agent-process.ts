// One reference agent in its own process, for the LAN benchmark. It reports its URL over IPC and, between
// 'mem-start' and 'mem-stop', samples its own heap + external memory every 5 ms twice over: as found (garbage not
// yet collected included), and right after a forced GC (what it actually holds). Asked for a link limit, it puts a
// rate-limited proxy in front of itself (link-limit.ts) and reports the proxy's URL.
import { startAgent } from '../../packages/agent/src/index.ts';
import { type LinkLimit, startLinkLimit } from './link-limit.ts';

const [dir, password, chunkSize, window, maxImageSize] = process.argv.slice(2);
const agent = await startAgent({
  dir: dir!,
  password: password!,
  port: 0,
  chunkSize: Number(chunkSize),
  window: Number(window),
  maxImageSize: Number(maxImageSize),
  log: () => {},
});
const gc = (globalThis as { gc?: () => void }).gc!;

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
let base = 0;
let peakFound = 0;
let peakLive = 0;
let lowLive = 0;
let samples = 0;
let sampler: ReturnType<typeof setInterval> | undefined;
let limit: LinkLimit | undefined;

process.on('message', (message: string | { linkKiBps: number }) => {
  if (typeof message === 'object') {
    void (async () => {
      await limit?.close();
      limit = await startLinkLimit(agent.url, message.linkKiBps);
      process.send!({ url: limit.url });
    })();
  } else if (message === 'mem-start') {
    gc();
    base = peakFound = peakLive = lowLive = used();
    samples = 0;
    sampler = setInterval(() => {
      samples++;
      peakFound = Math.max(peakFound, used());
      gc();
      const live = used();
      peakLive = Math.max(peakLive, live);
      lowLive = Math.min(lowLive, live);
    }, 5);
    process.send!({ started: true });
  } else if (message === 'mem-stop') {
    clearInterval(sampler);
    // Measured from the lowest live figure seen, not the start: memory freed late from earlier work would
    // otherwise hide the peak below the starting point.
    process.send!({ found: peakFound - lowLive, live: peakLive - lowLive, samples, base: lowLive });
  } else if (message === 'close') {
    void Promise.all([limit?.close(), agent.close()]).then(() => process.exit(0));
  }
});
process.send!({ url: agent.url });
