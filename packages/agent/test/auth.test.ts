// Authentication rules with a clock the test moves: challenges bound to their requester, lapsing and single-use;
// proofs counted before they are checked, per requester, in a bucket that slows and never shuts the door; logins
// that sign each request, with each counter accepted once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizationHeader, clientProof, randomBase64, requestMac, sessionKey } from '@fieldflash/protocol';
import { describe, expect, it } from 'vitest';
import { Authenticator, loadPairingKey } from '../src/auth.ts';
import { CHALLENGES_PER_ADDRESS, CHALLENGES_PER_REQUESTER } from '../src/challenges.ts';
import { AgentRefusal } from '../src/errors.ts';
import { GUESS_BURST, GUESS_REFILL_MS } from '../src/guess-limit.ts';
import { LOGINS_PER_CLIENT } from '../src/logins.ts';

const HERE = '192.168.1.20';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-auth-'));
  const pairing = await loadPairingKey(dir, 'correct horse battery staple');
  let now = 1_000_000;
  const auth = new Authenticator(pairing, { challengeTtlSeconds: 30, sessionTtlSeconds: 300 }, () => now);
  /** Asks for a challenge as `clientId` from `address` and answers it (with `key`, the right one by default). */
  const login = async (clientId: string, key = pairing.key, address = HERE) => {
    const c = auth.challenge({ address, clientId });
    return answer(clientId, c.challengeId, c.nonce, key, address);
  };
  const answer = async (clientId: string, challengeId: string, nonce: string, key = pairing.key, address = HERE) => {
    const input = { challengeId, nonce, clientId, clientNonce: randomBase64(16) };
    const reply = await auth.respond(address, { ...input, proof: await clientProof(key, input) });
    return { ...reply, sessionKey: await sessionKey(pairing.key, challengeId, input.clientNonce) };
  };
  const wrongKey = pairing.key.map((b) => b ^ 1);
  return { auth, login, answer, wrongKey, advance: (ms: number) => (now += ms) };
}

async function refusalCode(work: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    if (error instanceof AgentRefusal) return error.code;
    throw error;
  }
  return 'accepted';
}

/** A signed GET of `target` with `counter`, as the HTTP layer hands it to the authenticator. */
async function signed(session: { sessionId: string; sessionKey: Uint8Array }, counter: number, target = '/fieldflash/v1/updates/x', clientId?: string) {
  const mac = await requestMac(session.sessionKey, { method: 'GET', target, digest: '', counter });
  return { authorization: authorizationHeader({ sessionId: session.sessionId, counter, mac }), clientId, method: 'GET', target, digest: '' };
}

describe('challenges', () => {
  it('lapse after their lifetime and are answered once', async () => {
    const { auth, answer, advance } = await setup();
    const late = auth.challenge({ address: HERE, clientId: 'laptop' });
    advance(30_000);
    expect(await refusalCode(answer('laptop', late.challengeId, late.nonce))).toBe('replayed');
    const c = auth.challenge({ address: HERE, clientId: 'laptop' });
    expect(await refusalCode(answer('laptop', c.challengeId, c.nonce))).toBe('accepted');
    expect(await refusalCode(answer('laptop', c.challengeId, c.nonce))).toBe('replayed');
  });

  it("answered by another client or from another address: replayed, not counted, and still open for its requester", async () => {
    const { auth, answer, wrongKey } = await setup();
    const c = auth.challenge({ address: HERE, clientId: 'owner' });
    for (let i = 0; i < 3 * GUESS_BURST; i++) {
      expect(await refusalCode(answer('thief', c.challengeId, c.nonce, wrongKey))).toBe('replayed');
      expect(await refusalCode(answer('owner', c.challengeId, c.nonce, wrongKey, '192.168.1.66'))).toBe('replayed');
    }
    expect(await refusalCode(answer('owner', c.challengeId, c.nonce))).toBe('accepted');
  });

  it("a flood pushes out only the flooder's own challenges, and a full address waits instead of evicting", async () => {
    const { auth, answer } = await setup();
    const owner = auth.challenge({ address: HERE, clientId: 'owner' });
    for (let i = 0; i < 300; i++) auth.challenge({ address: HERE, clientId: 'flood' });
    let refused: unknown;
    for (let i = 0; i < CHALLENGES_PER_ADDRESS + 10 && !refused; i++) {
      try {
        auth.challenge({ address: HERE, clientId: `flood-${i}` });
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toMatchObject({ code: 'rate-limited', details: { retryAfterSeconds: 30 } });
    // Another address is not affected by this one's flood.
    const elsewhere = auth.challenge({ address: '192.168.1.30', clientId: 'phone' });
    expect(await refusalCode(answer('phone', elsewhere.challengeId, elsewhere.nonce, undefined, '192.168.1.30'))).toBe('accepted');
    expect(await refusalCode(answer('owner', owner.challengeId, owner.nonce))).toBe('accepted');
    expect(CHALLENGES_PER_REQUESTER).toBeLessThan(300);
  });
});

describe('the guess limit', () => {
  it(`evaluates ${GUESS_BURST} wrong proofs in a row, then asks to wait at most ${GUESS_REFILL_MS / 1000} s, and lets the right one in after`, async () => {
    const { login, wrongKey, advance } = await setup();
    for (let i = 0; i < GUESS_BURST; i++) expect(await refusalCode(login('guesser', wrongKey))).toBe('bad-proof');
    const limited = await login('guesser').catch((e: unknown) => e);
    expect(limited).toMatchObject({ code: 'rate-limited', details: { retryAfterSeconds: 2 } });
    // Other clients, the owner among them, are not slowed by the guesser.
    expect(await refusalCode(login('owner'))).toBe('accepted');
    advance(GUESS_REFILL_MS);
    expect(await refusalCode(login('guesser', wrongKey))).toBe('bad-proof');
    expect(await refusalCode(login('guesser'))).toBe('rate-limited');
    advance(GUESS_REFILL_MS);
    expect(await refusalCode(login('guesser'))).toBe('accepted');
  });

  it('counts each proof before checking it: of 40 sent at once, at most the burst is evaluated', async () => {
    const { auth, answer, wrongKey } = await setup();
    const open = Array.from({ length: CHALLENGES_PER_REQUESTER }, () => auth.challenge({ address: HERE, clientId: 'racer' }));
    const codes = await Promise.all(Array.from({ length: 40 }, (_, i) => refusalCode(answer('racer', open[i % open.length]!.challengeId, open[i % open.length]!.nonce, wrongKey))));
    expect(codes.filter((c) => c === 'bad-proof')).toHaveLength(GUESS_BURST);
    expect(codes.filter((c) => c === 'rate-limited')).toHaveLength(5 * (CHALLENGES_PER_REQUESTER - GUESS_BURST));
    expect(codes.filter((c) => c === 'replayed')).toHaveLength(4 * GUESS_BURST);
  });

  it('does not count answers to challenges it never issued', async () => {
    const { auth, login } = await setup();
    for (let i = 0; i < 100; i++) {
      const junk = { challengeId: `c-${i}`, clientId: 'owner', clientNonce: randomBase64(16), proof: '0'.repeat(64) };
      expect(await refusalCode(auth.respond(HERE, junk))).toBe('replayed');
    }
    expect(await refusalCode(login('owner'))).toBe('accepted');
  });
});

describe('logins', () => {
  it('authenticate each request by its MAC, accept each counter once, within the window below the highest', async () => {
    const { auth, login } = await setup();
    const session = await login('laptop');
    expect(auth.verify(await signed(session, 1000, undefined, 'laptop')).clientId).toBe('laptop');
    expect(await refusalCode(async () => auth.verify(await signed(session, 1000)))).toBe('replayed');
    expect(await refusalCode(async () => auth.verify(await signed(session, 1000 - 64)))).toBe('replayed');
    expect(await refusalCode(async () => auth.verify(await signed(session, 1000 - 63)))).toBe('accepted');
    expect(await refusalCode(async () => auth.verify(await signed(session, 999)))).toBe('accepted');
    const altered = await signed(session, 1001);
    expect(await refusalCode(() => auth.verify({ ...altered, target: '/fieldflash/v1/updates/y' }))).toBe('bad-mac');
    expect(await refusalCode(() => auth.verify({ ...altered, digest: 'sha-256=:AAAA:' }))).toBe('bad-mac');
    expect(await refusalCode(() => auth.verify({ ...altered, method: 'DELETE' }))).toBe('bad-mac');
    expect(await refusalCode(async () => auth.verify(await signed(session, 1002, undefined, 'phone')))).toBe('unauthenticated');
    expect(await refusalCode(() => auth.verify({ ...altered, authorization: 'Bearer abc' }))).toBe('unauthenticated');
  });

  it('lapse after their lifetime; a new login of the same client leaves the earlier ones, up to the cap', async () => {
    const { auth, login, advance } = await setup();
    const first = await login('laptop');
    const others: Awaited<ReturnType<typeof login>>[] = [];
    for (let i = 1; i < LOGINS_PER_CLIENT; i++) others.push(await login('laptop'));
    expect(await refusalCode(async () => auth.verify(await signed(first, 0)))).toBe('accepted');
    await login('laptop');
    expect(await refusalCode(async () => auth.verify(await signed(first, 1)))).toBe('unauthenticated');
    expect(await refusalCode(async () => auth.verify(await signed(others[0]!, 0)))).toBe('accepted');
    advance(300_000);
    expect(await refusalCode(async () => auth.verify(await signed(others[0]!, 1)))).toBe('session-expired');
  });
});

describe('the secret given directly (HTTP Basic on compatibility uploads)', () => {
  it('is checked against the stored key and counted like a proof', async () => {
    const { auth } = await setup();
    const requester = { address: HERE, clientId: 'compat' };
    expect(await auth.checkSecret(requester, 'correct horse battery staple')).toBe(true);
    for (let i = 0; i < GUESS_BURST; i++) expect(await auth.checkSecret(requester, 'admin')).toBe(false);
    expect(await refusalCode(auth.checkSecret(requester, 'correct horse battery staple'))).toBe('rate-limited');
  });
});
