// The protocol's crypto against the same computations done independently with node:crypto.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clientProof,
  contentDigest,
  contentDigestSha256,
  deriveKey,
  deviceProof,
  fingerprintProof,
  fromBase64,
  sameProof,
  sdpFingerprint,
  sessionKey,
  toBase64,
} from '../src/index.ts';

const salt = Buffer.from('0123456789abcdef').toString('base64');
const proofInput = { challengeId: 'ch-42', nonce: 'bm9uY2Vub25jZW5vbmNlIQ==', clientId: 'push-bench', clientNonce: 'Y2xpZW50bm9uY2UxMjM0NQ==' };

describe('crypto', () => {
  it('derives the pairing key as PBKDF2-HMAC-SHA-256 of the NFC password, 32 bytes', async () => {
    const key = await deriveKey('Cafe\u0301 42', salt, 100_000);
    const expected = pbkdf2Sync(Buffer.from('Café 42'.normalize('NFC')), Buffer.from('0123456789abcdef'), 100_000, 32, 'sha256');
    expect(Buffer.from(key).toString('hex')).toBe(expected.toString('hex'));
  });

  it('computes client, device and session proofs over the documented strings', async () => {
    const key = pbkdf2Sync('hunter2', 'salt', 1000, 32, 'sha256');
    const hmac = (k: Buffer, text: string) => createHmac('sha256', k).update(text).digest();
    expect(await clientProof(key, proofInput)).toBe(hmac(key, 'fieldflash-v1 client|ch-42|bm9uY2Vub25jZW5vbmNlIQ==|push-bench|Y2xpZW50bm9uY2UxMjM0NQ==').toString('hex'));
    expect(await deviceProof(key, proofInput)).toBe(hmac(key, 'fieldflash-v1 device|ch-42|bm9uY2Vub25jZW5vbmNlIQ==|push-bench|Y2xpZW50bm9uY2UxMjM0NQ==').toString('hex'));
    const session = hmac(key, 'fieldflash-v1 session|ch-42|Y2xpZW50bm9uY2UxMjM0NQ==');
    expect(Buffer.from(await sessionKey(key, 'ch-42', proofInput.clientNonce)).toString('hex')).toBe(session.toString('hex'));
    const fp = 'sha-256 AB:CD:EF';
    expect(await fingerprintProof(session, 'offer', fp)).toBe(hmac(session, 'offer|sha-256 AB:CD:EF').toString('hex'));
    expect(await fingerprintProof(session, 'answer', fp)).toBe(hmac(session, 'answer|sha-256 AB:CD:EF').toString('hex'));
    expect(await clientProof(key, proofInput)).not.toBe(await deviceProof(key, proofInput));
  });

  it('writes and reads RFC 9530 Content-Digest values', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => i * 7);
    const b64 = createHash('sha256').update(bytes).digest('base64');
    expect(await contentDigest(bytes)).toBe(`sha-256=:${b64}:`);
    expect(contentDigestSha256(`sha-512=:AAAA:, sha-256=:${b64}:`)).toBe(b64);
    expect(contentDigestSha256('md5=:AAAA:')).toBeUndefined();
    // Only a well-formed sha-256 member counts: 32 bytes of base64, no parameters (docs/protocol.md §4.3).
    expect(contentDigestSha256('sha-256=:AAAA:')).toBeUndefined();
    expect(contentDigestSha256(`sha-256=:${b64}:;param=1`)).toBeUndefined();
    expect(contentDigestSha256(`sha-256=:${b64.slice(0, -2)}!=:`)).toBeUndefined();
  });

  it('round-trips base64 of every byte value and compares proofs exactly', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect(toBase64(all)).toBe(Buffer.from(all).toString('base64'));
    expect([...fromBase64(toBase64(all))]).toEqual([...all]);
    expect(sameProof('abcd', 'abcd')).toBe(true);
    expect(sameProof('abcd', 'abce')).toBe(false);
    expect(sameProof('abcd', 'abc')).toBe(false);
  });

  it('reads the DTLS fingerprint of an SDP', () => {
    const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\na=fingerprint:sha-256 12:AB:34 \r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n';
    expect(sdpFingerprint(sdp)).toBe('sha-256 12:AB:34');
    expect(sdpFingerprint('v=0\r\n')).toBeUndefined();
  });
});
