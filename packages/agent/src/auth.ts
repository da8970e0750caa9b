// Pairing and session tokens. The password is only ever used to derive the PBKDF2 key, which is what is stored
// (<dir>/auth.json: salt, iterations, key). Challenges are single-use, tokens short-lived and bound to the clientId
// that authenticated, and failed proofs are rate-limited per device.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AuthReply, type AuthRequest, type Challenge, clientProof, deriveKey, deviceProof, sameProof, sessionKey, toBase64 } from '@fieldflash/protocol';
import { replaceFileDurably } from './durable.ts';
import { AgentRefusal } from './errors.ts';

export const KDF_ITERATIONS = 100_000;
const CHALLENGE_TTL_MS = 30_000;
const FAILURE_WINDOW_MS = 60_000;
const MAX_FAILURES = 5;
const MAX_OPEN_CHALLENGES = 256;

interface StoredKey {
  salt: string;
  iterations: number;
  key: string;
}

/** Derives the pairing key for `password`, reusing the stored salt when the password is unchanged. */
export async function loadPairingKey(dir: string, password: string): Promise<{ salt: string; iterations: number; key: Uint8Array }> {
  const path = join(dir, 'auth.json');
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredKey;
    const key = await deriveKey(password, stored.salt, stored.iterations);
    if (sameProof(toBase64(key), stored.key)) return { salt: stored.salt, iterations: stored.iterations, key };
  }
  const salt = toBase64(randomBytes(16));
  const key = await deriveKey(password, salt, KDF_ITERATIONS);
  replaceFileDurably(path, JSON.stringify({ salt, iterations: KDF_ITERATIONS, key: toBase64(key) } satisfies StoredKey));
  return { salt, iterations: KDF_ITERATIONS, key };
}

export interface TokenGrant {
  clientId: string;
  expiresAt: number;
  /** The session key shared with this client, for the WebRTC fingerprint binding. */
  sessionKey: Uint8Array;
}

export class Authenticator {
  private readonly challenges = new Map<string, { nonce: string; clientId: string; expiresAt: number; used: boolean }>();
  private readonly tokens = new Map<string, TokenGrant>();
  private failures: number[] = [];

  constructor(
    private readonly pairing: { salt: string; iterations: number; key: Uint8Array },
    private readonly tokenTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  challenge(clientId: string): Challenge {
    this.sweep();
    // A flood of challenge requests must not grow memory without bound: the oldest open challenges go first.
    while (this.challenges.size >= MAX_OPEN_CHALLENGES) this.challenges.delete(this.challenges.keys().next().value!);
    const challengeId = randomBytes(12).toString('hex');
    const nonce = toBase64(randomBytes(16));
    this.challenges.set(challengeId, { nonce, clientId, expiresAt: this.now() + CHALLENGE_TTL_MS, used: false });
    return {
      challengeId,
      nonce,
      salt: this.pairing.salt,
      kdf: { name: 'PBKDF2-SHA256', iterations: this.pairing.iterations },
      expiresIn: CHALLENGE_TTL_MS / 1000,
    };
  }

  async respond(request: AuthRequest): Promise<AuthReply> {
    const now = this.now();
    this.failures = this.failures.filter((at) => at > now - FAILURE_WINDOW_MS);
    if (this.failures.length >= MAX_FAILURES) {
      const retryAfterSeconds = Math.max(1, Math.ceil((this.failures[0]! + FAILURE_WINDOW_MS - now) / 1000));
      throw new AgentRefusal('rate-limited', `Too many wrong passwords in the last minute. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
    }
    const challenge = this.challenges.get(request.challengeId);
    if (!challenge || challenge.used || challenge.expiresAt <= now) {
      this.failures.push(now);
      throw new AgentRefusal('replayed', challenge?.used ? 'This challenge was already answered. Ask the device for a new one.' : 'This challenge is unknown or has expired. Ask the device for a new one.');
    }
    challenge.used = true;
    const input = { challengeId: request.challengeId, nonce: challenge.nonce, clientId: request.clientId, clientNonce: request.clientNonce };
    const expected = await clientProof(this.pairing.key, input);
    if (challenge.clientId !== request.clientId || !sameProof(expected, request.proof)) {
      this.failures.push(now);
      throw new AgentRefusal('bad-proof', 'The password proof is wrong. Check the device password and try again.');
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, {
      clientId: request.clientId,
      expiresAt: now + this.tokenTtlSeconds * 1000,
      sessionKey: await sessionKey(this.pairing.key, request.challengeId, request.clientNonce),
    });
    return { token, expiresIn: this.tokenTtlSeconds, deviceProof: await deviceProof(this.pairing.key, input) };
  }

  /** The grant behind `Authorization: Bearer <token>` from `clientId`, or a refusal saying why not. */
  verify(authorization: string | undefined, clientId: string | undefined): TokenGrant & { token: string } {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new AgentRefusal('unauthenticated', 'This request needs a session token (Authorization: Bearer …). Pair with the device password first.');
    const grant = this.tokens.get(token);
    if (!grant) throw new AgentRefusal('unauthenticated', 'The device does not know this session token (it may have restarted). Authenticate again.');
    if (grant.expiresAt <= this.now()) {
      throw new AgentRefusal('token-expired', 'The session token has expired. Authenticate again to continue.');
    }
    if (grant.clientId !== clientId) {
      throw new AgentRefusal('unauthenticated', 'This session token belongs to another client (FieldFlash-Client does not match). Authenticate again.');
    }
    return { ...grant, token };
  }

  /** Ends a token now (the test hook for expiry). */
  expire(token: string): void {
    const grant = this.tokens.get(token);
    if (grant) grant.expiresAt = this.now();
  }

  forgetAll(): void {
    this.tokens.clear();
    this.challenges.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, c] of this.challenges) if (c.expiresAt + CHALLENGE_TTL_MS < now) this.challenges.delete(id);
    for (const [token, grant] of this.tokens) if (grant.expiresAt + 60_000 < now) this.tokens.delete(token);
  }
}
