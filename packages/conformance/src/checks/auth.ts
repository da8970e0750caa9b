// §3 authentication: proofs both ways, single-use challenges, tokens bound to their client and lapsing, rate limit.
import { API_BASE, clientProof, parseChallenge, randomBase64 } from '@fieldflash/protocol';
import { assert, type Check, expectRefusal, Skip } from '../harness.ts';
import { expectOk, makeImage, type Probe } from '../probe.ts';

async function challenge(probe: Probe, clientId: string) {
  return parseChallenge(expectOk(await probe.raw('POST', `${API_BASE}/auth/challenge`, { body: { clientId } }), 'the challenge'));
}

/** An auth/response with the right proof, or (with `password`) the proof another password gives. */
async function answer(probe: Probe, clientId: string, c: Awaited<ReturnType<typeof challenge>>, password?: string) {
  const key = await probe.key(c.salt, c.kdf.iterations, password);
  const input = { challengeId: c.challengeId, nonce: c.nonce, clientId, clientNonce: randomBase64(16) };
  return probe.raw('POST', `${API_BASE}/auth/response`, { body: { ...input, proof: await clientProof(key, input) } });
}

export const authChecks: Check[] = [
  {
    section: '3.2',
    title: 'the password proof is accepted and the device proves it knows the password too',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      assert(session.token.length >= 16, 'the token is shorter than 16 characters');
      assert(session.expiresIn > 0, 'expiresIn is not positive');
    },
  },
  {
    section: '3.2',
    title: 'a wrong password proof is refused (bad-proof)',
    async run(ctx) {
      const id = ctx.clientId();
      const reply = await answer(ctx.probe, id, await challenge(ctx.probe, id), 'not the password');
      expectRefusal(reply, 401, 'bad-proof', 'a proof made with the wrong password');
    },
  },
  {
    section: '3.2',
    title: 'a challenge answered twice is refused the second time (replayed)',
    async run(ctx) {
      const id = ctx.clientId();
      const c = await challenge(ctx.probe, id);
      expectOk(await answer(ctx.probe, id, c), 'the first answer');
      expectRefusal(await answer(ctx.probe, id, c), 401, 'replayed', 'a second answer to the same challenge');
    },
  },
  {
    section: '3.3',
    title: 'requests without a token, or with a token of another client, are refused (unauthenticated)',
    async run(ctx) {
      const image = makeImage(1000);
      const body = { sha256: image.sha256, size: 1000, version: '9.9.9', chipFamily: ctx.doc.chipFamily };
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/updates`, { body, clientId: 'nobody' }), 401, 'unauthenticated', 'an offer without a token');
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/reboot`, { body: {} }), 401, 'unauthenticated', 'a reboot without a token');
      const session = await ctx.probe.login(ctx.clientId('owner'));
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/updates`, { body, token: session.token, clientId: ctx.clientId('thief') }), 401, 'unauthenticated', 'a token used by another client id');
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/updates`, { body, token: 'not-a-token', clientId: session.clientId }), 401, 'unauthenticated', 'an unknown token');
    },
  },
  {
    section: '3.3',
    title: 'an expired token is refused (token-expired)',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      if (session.expiresIn <= 10) {
        await new Promise((resolve) => setTimeout(resolve, session.expiresIn * 1000 + 500));
      } else if (ctx.doc.capabilities.includes('test-hooks')) {
        expectOk(await session.request('POST', 'test/expire-token', {}), 'the expire-token test hook');
      } else {
        throw new Skip(`tokens live ${session.expiresIn} s; start the device with a token lifetime of 10 s or less, or with test hooks`);
      }
      const reply = await session.request('POST', 'updates', { sha256: makeImage(10).sha256, size: 10, version: '9.9.9', chipFamily: ctx.doc.chipFamily });
      expectRefusal(reply, 401, 'token-expired', 'an offer with a lapsed token');
    },
  },
];

/** Last, because it locks authentication for up to a minute. */
export const rateLimitCheck: Check = {
  section: '3.4',
  title: 'repeated wrong proofs are rate-limited with Retry-After, and then even the right password waits',
  async run(ctx) {
    const id = ctx.clientId();
    let limited = null;
    for (let attempt = 1; attempt <= 7 && !limited; attempt++) {
      const reply = await answer(ctx.probe, id, await challenge(ctx.probe, id), 'not the password');
      if (reply.status === 429) limited = reply;
      else expectRefusal(reply, 401, 'bad-proof', `wrong proof number ${attempt}`);
    }
    assert(limited, 'seven wrong proofs in a row were never rate-limited');
    const error = expectRefusal(limited, 429, 'rate-limited', 'the rate-limited answer');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert(retryAfter > 0 && retryAfter <= 60, `Retry-After is ${limited.headers.get('retry-after')}`);
    assert(error.retryAfterSeconds === retryAfter, `retryAfterSeconds (${String(error.retryAfterSeconds)}) differs from Retry-After (${retryAfter})`);
    const right = await answer(ctx.probe, id, await challenge(ctx.probe, id));
    expectRefusal(right, 429, 'rate-limited', 'the right password while rate-limited');
  },
};

