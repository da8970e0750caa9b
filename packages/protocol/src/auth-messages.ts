// The messages of pairing-password authentication (docs/protocol.md §3): challenge request and challenge,
// the client's proof and the device's reply with the session id and its own proof.

import { Fields } from './fields.ts';

/** Nonces, client nonces and salts: padded base64 of at least 16 bytes, at most 88 characters (§3.2). */
export const RANDOM_MIN_BYTES = 16;
export const RANDOM_MAX_BYTES = 64;
/** A session id travels inside a quoted header parameter, so it keeps to characters that need no escaping. */
export const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface ChallengeRequest {
  clientId: string;
}

export interface Challenge {
  challengeId: string;
  /** Base64 of at least 16 random bytes; used as the text it is in the proofs. */
  nonce: string;
  /** Base64 of the PBKDF2 salt bytes. */
  salt: string;
  kdf: { name: 'PBKDF2-SHA256'; iterations: number };
  /** Seconds until the challenge lapses. */
  expiresIn: number;
}

export interface AuthRequest {
  challengeId: string;
  clientId: string;
  /** Base64 of 16 random bytes chosen by the client. */
  clientNonce: string;
  /** Hex HMAC-SHA-256, see clientProof(). */
  proof: string;
}

export interface AuthReply {
  /** Names the login in each request's Authorization header (docs/protocol.md §3.3); not a secret. */
  sessionId: string;
  /** Seconds until the session lapses. */
  expiresIn: number;
  /** Hex HMAC-SHA-256, see deviceProof(); the client checks it. */
  deviceProof: string;
}

export function parseChallengeRequest(json: unknown): ChallengeRequest {
  const f = new Fields(json, 'ChallengeRequest');
  return { clientId: f.clientId('clientId') };
}

export function parseChallenge(json: unknown): Challenge {
  const f = new Fields(json, 'Challenge');
  const kdf = f.object('kdf');
  return {
    challengeId: f.string('challengeId', { maxLength: 128 }),
    nonce: f.base64Bytes('nonce', RANDOM_MIN_BYTES, RANDOM_MAX_BYTES),
    salt: f.base64Bytes('salt', RANDOM_MIN_BYTES, RANDOM_MAX_BYTES),
    kdf: { name: kdf.literal('name', 'PBKDF2-SHA256'), iterations: kdf.int('iterations', 100_000) },
    expiresIn: f.int('expiresIn', 1),
  };
}

export function parseAuthRequest(json: unknown): AuthRequest {
  const f = new Fields(json, 'AuthRequest');
  return {
    challengeId: f.string('challengeId', { maxLength: 128 }),
    clientId: f.clientId('clientId'),
    clientNonce: f.base64Bytes('clientNonce', RANDOM_MIN_BYTES, RANDOM_MAX_BYTES),
    proof: f.hmac('proof'),
  };
}

export function parseAuthReply(json: unknown): AuthReply {
  const f = new Fields(json, 'AuthReply');
  return {
    sessionId: f.string('sessionId', { pattern: SESSION_ID, what: '1 to 128 letters, digits, "_" or "-"' }),
    expiresIn: f.int('expiresIn', 1),
    deviceProof: f.hmac('deviceProof'),
  };
}
