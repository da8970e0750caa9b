// The WebRTC signaling messages (docs/protocol.md §8.1): an SDP with its DTLS fingerprint bound to the session key.

import { Fields } from './fields.ts';

/** Both directions of signaling: the offer sent to the device and the answer it returns. */
export interface WebRtcSignal {
  sdp: string;
  /** Hex HMAC-SHA-256 over the DTLS fingerprint, keyed by the session key; see fingerprintProof(). */
  fingerprintProof: string;
}
export type WebRtcOffer = WebRtcSignal;
export type WebRtcAnswer = WebRtcSignal;

/** An SDP's longest length: escaped in full as JSON (6 characters each), a signal still fits a 64 KiB body (§10). */
export const SDP_MAX_LENGTH = 8192;

function webRtcSignal(json: unknown, name: string): WebRtcSignal {
  const f = new Fields(json, name);
  return {
    sdp: f.string('sdp', { maxLength: SDP_MAX_LENGTH }),
    fingerprintProof: f.hmac('fingerprintProof'),
  };
}
export const parseWebRtcOffer = (json: unknown): WebRtcOffer => webRtcSignal(json, 'WebRtcOffer');
export const parseWebRtcAnswer = (json: unknown): WebRtcAnswer => webRtcSignal(json, 'WebRtcAnswer');
