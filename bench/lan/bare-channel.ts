// The data channel's own limit, measured in the same run as the client: a bare channel to a node-datachannel peer in
// another process, sending chunk-sized messages with the same back-pressure as the client, no protocol at all. From
// Node (node-datachannel at both ends) and from the bench page (Chromium's RTCDataChannel, as the app's).
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import type { BenchPage } from './browser-page.ts';

/** The client's back-pressure: wait above 1 MiB buffered, go on below half of it. */
export const HIGH_WATER = 1024 * 1024;

class BarePeer {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<BarePeer> {
    const child = fork(fileURLToPath(new URL('./bare-peer.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(child, 'message');
    return new BarePeer(child);
  }

  async answer(offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit> {
    this.child.send({ offer });
    const [{ answer }] = (await once(this.child, 'message')) as [{ answer: RTCSessionDescriptionInit }];
    return answer;
  }

  /** Has the peer report once `total` bytes arrived; resolves with that report. */
  expect(total: number): Promise<unknown> {
    this.child.send({ expect: total });
    return once(this.child, 'message');
  }

  async close(): Promise<void> {
    this.child.send({ close: true });
    await once(this.child, 'exit');
  }
}

/**
 * The bare channel's trials, each timed by `trial`. A trial that node-datachannel itself fails (seen once in a few
 * dozen: "Got a remote candidate without ICE transport" while setting the answer) is said and left out, as it times
 * no FieldFlash code; the baseline needs at least one trial that ran.
 */
export async function bareTrials(count: number, trial: () => Promise<number>): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < count; i++) {
    try {
      seconds.push(await trial());
    } catch (err) {
      console.log(`  (a bare data-channel trial failed in node-datachannel and is left out: ${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (seconds.length === 0) throw new Error(`every one of ${count} bare data-channel trials failed`);
  return seconds;
}

/** Seconds to move `total` bytes in messages of `messageSize` over a bare data channel from Node. */
export async function bareChannelSeconds(total: number, messageSize: number): Promise<number> {
  const far = await BarePeer.start();
  const peer = new RTCPeerConnection({ iceServers: [] });
  try {
    const channel = peer.createDataChannel('bare');
    await peer.setLocalDescription(await peer.createOffer());
    while (peer.iceGatheringState !== 'complete') await new Promise((resolve) => setTimeout(resolve, 20));
    await peer.setRemoteDescription(await far.answer({ type: peer.localDescription!.type, sdp: peer.localDescription!.sdp }));
    if (channel.readyState !== 'open') await new Promise((resolve) => (channel.onopen = resolve));
    const arrived = far.expect(total);
    const message = new Uint8Array(messageSize);
    channel.bufferedAmountLowThreshold = HIGH_WATER / 2;
    const started = performance.now();
    for (let sent = 0; sent < total; sent += messageSize) {
      if (channel.bufferedAmount > HIGH_WATER) await new Promise((resolve) => (channel.onbufferedamountlow = resolve));
      channel.send(message);
    }
    await arrived;
    return (performance.now() - started) / 1000;
  } finally {
    peer.close();
    await far.close();
  }
}

/** The same from the bench page, with Chromium's RTCDataChannel; the page times it until the peer says done. */
export async function bareChannelFromPageSeconds(page: BenchPage, total: number, messageSize: number): Promise<number> {
  const far = await BarePeer.start();
  try {
    const answer = await far.answer({ type: 'offer', sdp: await page.bareOffer() });
    void far.expect(total);
    return await page.bareSend(answer.sdp!, total, messageSize, HIGH_WATER);
  } finally {
    await far.close();
  }
}
