// The far end of a bare data channel, in its own process as an agent would be: it answers an offer sent over IPC and
// reports when it has received the number of bytes it was told, over IPC and on the channel. No FieldFlash code runs
// on either end.
import { RTCPeerConnection } from 'node-datachannel/polyfill';

const peer = new RTCPeerConnection({ iceServers: [] });
let expected = 0;
let received = 0;
let open: { send(data: string): void } | undefined;
// The count to expect comes over IPC and the bytes over the channel: either may come first. A report goes out once
// both are in; the count holds for the rounds after (the page sends a warm-up round, then the timed one).
function reportIfDone(): void {
  if (expected === 0 || received < expected) return;
  process.send!({ received });
  // Also said on the channel, for a sender that has no other line to this process (the bench page).
  try {
    open?.send('done');
  } catch {
    // The sender has closed the channel already: it had its count over IPC.
  }
  received = 0;
}
peer.ondatachannel = ({ channel }) => {
  open = channel;
  channel.onmessage = ({ data }: { data: ArrayBuffer | Uint8Array }) => {
    received += data.byteLength;
    reportIfDone();
  };
};
process.on('message', async (message: { offer?: RTCSessionDescriptionInit; expect?: number; close?: true }) => {
  if (message.expect) {
    expected = message.expect;
    reportIfDone();
  }
  if (message.offer) {
    await peer.setRemoteDescription(message.offer);
    await peer.setLocalDescription(await peer.createAnswer());
    // Gathering on loopback is quick; the answer carries the candidates.
    while (peer.iceGatheringState !== 'complete') await new Promise((resolve) => setTimeout(resolve, 20));
    process.send!({ answer: { type: peer.localDescription!.type, sdp: peer.localDescription!.sdp } });
  }
  if (message.close) {
    peer.close();
    process.exit(0);
  }
});
process.send!({ ready: true });
