// Logins and per-request authentication (docs/protocol.md §3.3). A login is a session id, the client id it was
// issued to and the session key; each request names the session, a counter and a MAC over what it asks. The MAC is
// checked from the headers alone, before any body is read, and each counter is accepted once: within a window of
// REPLAY_WINDOW below the highest seen (pipelined requests overtake one another), and never below it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseAuthorization, REPLAY_WINDOW, requestMacText } from '@fieldflash/protocol';
import { AgentRefusal } from './errors.ts';

/** Logins kept per client id: a new login does not end the earlier ones, but a fifth ends the oldest. */
export const LOGINS_PER_CLIENT = 4;
const LOGINS_IN_ALL = 64;

export interface LoginGrant {
  sessionId: string;
  clientId: string;
  /** Keys the request MACs and the WebRTC fingerprint binding. */
  sessionKey: Uint8Array;
}

interface Login extends LoginGrant {
  expiresAt: number;
  highest: number;
  seen: Set<number>;
}

export interface SignedRequest {
  authorization: string | undefined;
  /** FieldFlash-Client, which must name the login's client when present. */
  clientId: string | undefined;
  method: string;
  /** The request target as received: path and query. */
  target: string;
  /** The Content-Digest header, or ''. */
  digest: string;
}

export class Logins {
  /** In the order they were issued. */
  private readonly logins = new Map<string, Login>();

  constructor(private readonly now: () => number) {}

  create(clientId: string, sessionKey: Uint8Array, ttlMs: number): LoginGrant & { expiresAt: number } {
    this.sweep();
    const own = [...this.logins.values()].filter((login) => login.clientId === clientId);
    if (own.length >= LOGINS_PER_CLIENT) this.logins.delete(own[0]!.sessionId);
    if (this.logins.size >= LOGINS_IN_ALL) this.logins.delete(this.logins.keys().next().value!);
    const login: Login = { sessionId: randomBytes(18).toString('base64url'), clientId, sessionKey, expiresAt: this.now() + ttlMs, highest: -1, seen: new Set() };
    this.logins.set(login.sessionId, login);
    return login;
  }

  /** The login that signed `request`, or a refusal saying why none did. Uses up the request's counter. */
  verify(request: SignedRequest): LoginGrant {
    const auth = parseAuthorization(request.authorization);
    if (typeof auth === 'string') {
      throw new AgentRefusal('unauthenticated', `This request needs a login: ${auth}. Authenticate with the pairing code, then sign each request (Authorization: FieldFlash-HMAC …).`);
    }
    const login = this.logins.get(auth.sessionId);
    if (!login) throw new AgentRefusal('unauthenticated', 'The device does not know this session (it may have restarted). Authenticate again.');
    if (request.clientId !== undefined && request.clientId !== login.clientId) {
      throw new AgentRefusal('unauthenticated', 'This session belongs to another client (FieldFlash-Client does not match). Authenticate again.');
    }
    const expected = createHmac('sha256', login.sessionKey)
      .update(requestMacText({ method: request.method, target: request.target, digest: request.digest, counter: auth.counter }))
      .digest();
    if (!timingSafeEqual(expected, Buffer.from(auth.mac, 'hex'))) {
      throw new AgentRefusal('bad-mac', 'The request\'s MAC does not match its method, path, query and Content-Digest: it was altered, or signed with another session key.');
    }
    if (login.expiresAt <= this.now()) throw new AgentRefusal('session-expired', 'The login has expired. Authenticate again to continue.');
    if (auth.counter <= login.highest - REPLAY_WINDOW || login.seen.has(auth.counter)) {
      throw new AgentRefusal('replayed', `This request's counter (${auth.counter}) was used before or is too old; a request is accepted once. Sign it again with a new counter.`);
    }
    login.seen.add(auth.counter);
    if (auth.counter > login.highest) {
      login.highest = auth.counter;
      for (const counter of login.seen) if (counter <= login.highest - REPLAY_WINDOW) login.seen.delete(counter);
    }
    return login;
  }

  /** Ends a login now (the test hook for expiry). */
  expire(sessionId: string): void {
    const login = this.logins.get(sessionId);
    if (login) login.expiresAt = this.now();
  }

  clear(): void {
    this.logins.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, login] of this.logins) if (login.expiresAt + 60_000 < now) this.logins.delete(id);
  }
}
