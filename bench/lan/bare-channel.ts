// The data channel's own limit, measured in the same run as the client: a bare node-datachannel channel to a peer in
// another process, sending chunk-sized messages with the same back-pressure as the client, no protocol at all.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { RTCPeerConnection } from 'node-datachannel/polyfill';

/** Seconds to move `total` bytes in messages of `messageSize` over a bare data channel. */
export async function bareChannelSeconds(total: number, messageSize: number): Promise<number> {
  const child = fork(fileURLToPath(new URL('./bare-peer.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const peer = new RTCPeerConnection({ iceServers: [] });
  try {
    await once(child, 'message');
    const channel = peer.createDataChannel('bare');
    await peer.setLocalDescription(await peer.createOffer());
    while (peer.iceGatheringState !== 'complete') await new Promise((resolve) => setTimeout(resolve, 20));
    child.send({ offer: { type: peer.localDescription!.type, sdp: peer.localDescription!.sdp } });
    const [{ answer }] = (await once(child, 'message')) as [{ answer: RTCSessionDescriptionInit }];
    await peer.setRemoteDescription(answer);
    if (channel.readyState !== 'open') await new Promise((resolve) => (channel.onopen = resolve));
    child.send({ expect: total });
    const message = new Uint8Array(messageSize);
    // The client's back-pressure: wait above 1 MiB buffered, go on below half of it.
    channel.bufferedAmountLowThreshold = 512 * 1024;
    const arrived = once(child, 'message');
    const started = performance.now();
    for (let sent = 0; sent < total; sent += messageSize) {
      if (channel.bufferedAmount > 1024 * 1024) await new Promise((resolve) => (channel.onbufferedamountlow = resolve));
      channel.send(message);
    }
    await arrived;
    return (performance.now() - started) / 1000;
  } finally {
    peer.close();
    child.send({ close: true });
    await once(child, 'exit');
  }
}
