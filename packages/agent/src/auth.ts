// Pairing and logins (docs/protocol.md §3). Challenges are bound to their requester and single-use; each proof is
// counted against its requester's guess limit before it is checked, with no await in between, so concurrent
// proofs cannot all be evaluated; answers to unknown challenges guess nothing and are not counted. A login's
// session key then authenticates every request (logins.ts).
import { timingSafeEqual } from 'node:crypto';
import { type AuthReply, type AuthRequest, type Challenge, clientProof, deriveKey, deviceProof, normalizePairingSecret, sameProof, sessionKey } from '@fieldflash/protocol';
import { Challenges, type Requester, requesterKey } from './challenges.ts';
import { AgentRefusal } from './errors.ts';
import { GuessLimit } from './guess-limit.ts';
import { type LoginGrant, Logins, type SignedRequest } from './logins.ts';
import type { PairingKey } from './pairing-key.ts';

export { KDF_ITERATIONS, loadPairingKey } from './pairing-key.ts';
export type { LoginGrant } from './logins.ts';

export interface AuthTimeouts {
  challengeTtlSeconds: number;
  sessionTtlSeconds: number;
}

export class Authenticator {
  private readonly challenges: Challenges;
  private readonly guesses: GuessLimit;
  private readonly logins: Logins;

  constructor(
    private readonly pairing: PairingKey,
    private readonly timeouts: AuthTimeouts,
    private readonly now: () => number = Date.now,
  ) {
    this.challenges = new Challenges(now);
    this.guesses = new GuessLimit(now);
    this.logins = new Logins(now);
  }

  challenge(requester: Requester): Challenge {
    const issued = this.challenges.issue(requester, this.timeouts.challengeTtlSeconds * 1000);
    if ('retryAfterSeconds' in issued) {
      throw new AgentRefusal('rate-limited', `Too many open challenges from this network address. Try again in ${issued.retryAfterSeconds} s.`, { retryAfterSeconds: issued.retryAfterSeconds });
    }
    return {
      challengeId: issued.id,
      nonce: issued.nonce,
      salt: this.pairing.salt,
      kdf: { name: 'PBKDF2-SHA256', iterations: this.pairing.iterations },
      expiresIn: this.timeouts.challengeTtlSeconds,
    };
  }

  async respond(address: string, request: AuthRequest): Promise<AuthReply> {
    const requester = { address, clientId: request.clientId };
    const challenge = this.challenges.find(request.challengeId, requester);
    if (!challenge) {
      throw new AgentRefusal('replayed', 'This challenge is unknown, already answered, lapsed, or was issued to another client. Ask the device for a new one.');
    }
    // Counted and used up before the proof is checked, with no await in between.
    const retryAfterSeconds = this.guesses.take(challenge.requester);
    if (retryAfterSeconds !== undefined) {
      throw new AgentRefusal('rate-limited', `Too many wrong proofs from this client. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
    }
    this.challenges.remove(challenge);
    const input = { challengeId: request.challengeId, nonce: challenge.nonce, clientId: request.clientId, clientNonce: request.clientNonce };
    if (!sameProof(await clientProof(this.pairing.key, input), request.proof)) {
      throw new AgentRefusal('bad-proof', 'The proof is wrong. Check the pairing code and try again.');
    }
    this.guesses.reset(requesterKey(requester));
    const shared = await sessionKey(this.pairing.key, request.challengeId, request.clientNonce);
    const login = this.logins.create(request.clientId, shared, this.timeouts.sessionTtlSeconds * 1000);
    return { sessionId: login.sessionId, expiresIn: this.timeouts.sessionTtlSeconds, deviceProof: await deviceProof(this.pairing.key, input) };
  }

  /**
   * Whether `secret` is the pairing secret, for endpoints that take it directly (HTTP Basic on the compatibility
   * uploads). Counted against the requester's guess limit like a proof, before it is checked.
   */
  async checkSecret(requester: Requester, secret: string): Promise<boolean> {
    const retryAfterSeconds = this.guesses.take(requesterKey(requester));
    if (retryAfterSeconds !== undefined) {
      throw new AgentRefusal('rate-limited', `Too many wrong passwords from this client. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
    }
    const key = await deriveKey(normalizePairingSecret(secret), this.pairing.salt, this.pairing.iterations);
    const right = timingSafeEqual(Buffer.from(key), Buffer.from(this.pairing.key));
    if (right) this.guesses.reset(requesterKey(requester));
    return right;
  }

  /** The login that signed an HTTP request, from its headers alone, or a refusal saying why none did. */
  verify(request: SignedRequest): LoginGrant {
    return this.logins.verify(request);
  }

  /** Test hook: ends a login now. */
  expireSession(sessionId: string): void {
    this.logins.expire(sessionId);
  }

  /** Test hook: lapses every open challenge now. */
  expireChallenges(): void {
    this.challenges.expireAll();
  }

  /** A reboot forgets every login and challenge. */
  forgetAll(): void {
    this.logins.clear();
    this.challenges.clear();
    this.guesses.clear();
  }
}
