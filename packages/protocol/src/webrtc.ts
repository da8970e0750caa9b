// Opening the WebRTC data channel to a device (docs/protocol.md §8): one authenticated HTTP signaling request,
// with each side's DTLS fingerprint bound to the session key, so nobody can sit in the middle.

import { DATA_CHANNEL_LABEL } from './api.ts';
import type { Credentials } from './auth.ts';
import { fingerprintProof, sameProof, sdpFingerprint } from './crypto.ts';
import { DataChannelTransport, type DataChannelLike } from './datachannel-transport.ts';
import { DeviceRefusal } from './error-codes.ts';
import { parseWebRtcAnswer } from './webrtc-messages.ts';
import { expectOk } from './replies.ts';
import { LinkError, type Transport } from './transport.ts';

/** The part of RTCPeerConnection used here; the browser's and node-datachannel's polyfill both fit. */
export interface PeerConnectionLike {
  createDataChannel(label: string, init?: { ordered?: boolean }): DataChannelLike;
  createOffer(): Promise<{ type: string; sdp?: string }>;
  setLocalDescription(description?: { type: string; sdp?: string }): Promise<void>;
  setRemoteDescription(description: { type: 'answer'; sdp: string }): Promise<void>;
  readonly localDescription: { sdp: string } | null;
  readonly iceGatheringState: string;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
  close(): void;
}

export type PeerConnectionFactory = () => PeerConnectionLike;

function waitFor(target: PeerConnectionLike | DataChannelLike, event: string, done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(event, check);
      reject(new LinkError(`WebRTC: ${what} did not happen within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    function check() {
      if (!done()) return;
      clearTimeout(timer);
      target.removeEventListener(event, check);
      resolve();
    }
    target.addEventListener(event, check);
  });
}

/**
 * Opens the data channel and returns a transport over it. `signaling` is the authenticated HTTP transport;
 * candidates are gathered completely before the offer is sent (no trickle ICE).
 */
export async function openDataChannel(
  signaling: Transport,
  credentials: Credentials,
  newPeerConnection: PeerConnectionFactory,
  timeoutMs = 15_000,
): Promise<DataChannelTransport> {
  const pc = newPeerConnection();
  try {
    const channel = pc.createDataChannel(DATA_CHANNEL_LABEL, { ordered: true });
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor(pc, 'icegatheringstatechange', () => pc.iceGatheringState === 'complete', timeoutMs, 'gathering ICE candidates');
    const sdp = pc.localDescription?.sdp ?? '';
    const ours = sdpFingerprint(sdp);
    if (!ours) throw new LinkError('WebRTC: the local offer has no DTLS fingerprint.');
    const answer = expectOk(
      await signaling.request('POST', '/webrtc/offer', { sdp, fingerprintProof: await fingerprintProof(credentials.sessionKey, 'offer', ours) }),
      parseWebRtcAnswer,
      'the WebRTC offer',
    );
    const theirs = sdpFingerprint(answer.sdp);
    if (!theirs || !sameProof(answer.fingerprintProof, await fingerprintProof(credentials.sessionKey, 'answer', theirs))) {
      throw new DeviceRefusal(401, {
        code: 'bad-fingerprint-proof',
        message: "The device's WebRTC answer is not bound to this session: someone may be in the middle. The link was not opened.",
      });
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await waitFor(channel, 'open', () => channel.readyState === 'open', timeoutMs, 'opening the data channel');
    const transport = new DataChannelTransport(channel);
    transport.onClose = () => pc.close();
    return transport;
  } catch (err) {
    pc.close();
    throw err;
  }
}
