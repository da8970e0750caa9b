// §3.2–§3.3 logging in: proofs both ways, challenges single-use and bound to their requester, logins bound to their
// client, lapsing, and not ended by the same client's next login.
import { API_BASE, clientProof, parseChallenge, randomBase64 } from '@fieldflash/protocol';
import { assert, type Check, type Context, expectRefusal, Skip } from '../harness.ts';
import { expectOk, makeImage, type Probe, type Reply, type Session } from '../probe.ts';

export type OpenChallenge = ReturnType<typeof parseChallenge>;

export async function challenge(probe: Probe, clientId: string): Promise<OpenChallenge> {
  return parseChallenge(expectOk(await probe.raw('POST', `${API_BASE}/auth/challenge`, { body: { clientId } }), 'the challenge'));
}

/** An auth/response with the right proof, or (with `password`) the proof another password gives. */
export async function answer(probe: Probe, clientId: string, c: OpenChallenge, password?: string): Promise<Reply> {
  const key = await probe.key(c.salt, c.kdf.iterations, password);
  const input = { challengeId: c.challengeId, nonce: c.nonce, clientId, clientNonce: randomBase64(16) };
  return probe.raw('POST', `${API_BASE}/auth/response`, { body: { ...input, proof: await clientProof(key, input) } });
}

/** An offer any device reads as authenticated work: the request the login checks sign. */
function someOffer(ctx: Context) {
  return { sha256: makeImage(1000).sha256, size: 1000, version: '9.9.9', chipFamily: ctx.doc.chipFamily };
}

/** Whether a signed request got past authentication (any answer but a 401). */
function accepted(reply: Reply): boolean {
  return reply.status !== 401;
}

async function discardOffer(session: Session, sha256: string): Promise<void> {
  await session.request('DELETE', `updates/${sha256}`).catch(() => undefined);
}

/** Lapses the open challenges: through the test hook, or by waiting out a lifetime of 5 s or less. */
async function lapseChallenges(ctx: Context, issued: OpenChallenge): Promise<void> {
  if (ctx.doc.capabilities.includes('test-hooks')) {
    const helper = await ctx.probe.login(ctx.clientId('hook'));
    expectOk(await helper.request('POST', 'test/expire-challenges', {}), 'the expire-challenges test hook');
  } else if (issued.expiresIn <= 5) {
    await new Promise((resolve) => setTimeout(resolve, issued.expiresIn * 1000 + 250));
  } else {
    throw new Skip(`challenges live ${issued.expiresIn} s; start the device with a challenge lifetime of 5 s or less, or with test hooks`);
  }
}

export const authChecks: Check[] = [
  {
    section: '3.2',
    title: 'the password proof is accepted and the device proves it knows the secret too',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      assert(session.sessionId.length > 0, 'the session id is empty');
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
    section: '3.2',
    title: 'a challenge answered by another client is refused (replayed) and stays open for the client it was issued to',
    async run(ctx) {
      const owner = ctx.clientId('owner');
      const c = await challenge(ctx.probe, owner);
      expectRefusal(await answer(ctx.probe, ctx.clientId('other'), c), 401, 'replayed', "another client's answer to the owner's challenge");
      expectOk(await answer(ctx.probe, owner, c), "the owner's answer to its challenge after another client tried it");
    },
  },
  {
    section: '3.2',
    title: 'a lapsed challenge is refused (replayed)',
    async run(ctx) {
      const id = ctx.clientId();
      const c = await challenge(ctx.probe, id);
      await lapseChallenges(ctx, c);
      expectRefusal(await answer(ctx.probe, id, c), 401, 'replayed', 'an answer to a lapsed challenge');
    },
  },
  {
    section: '3.3',
    title: 'requests without a login, of an unknown session, or of another client are refused (unauthenticated)',
    async run(ctx) {
      const body = someOffer(ctx);
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/updates`, { body, clientId: 'nobody' }), 401, 'unauthenticated', 'an offer without Authorization');
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/reboot`, { body: {} }), 401, 'unauthenticated', 'a reboot without Authorization');
      const bearer = { Authorization: 'Bearer 0123456789abcdef0123456789abcdef' };
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/updates`, { body, clientId: 'nobody', headers: bearer }), 401, 'unauthenticated', 'an offer with a bearer token');
      const session = await ctx.probe.login(ctx.clientId('owner'));
      expectRefusal(await ctx.probe.raw('POST', `${API_BASE}/updates`, { body, session, clientId: ctx.clientId('thief') }), 401, 'unauthenticated', 'a login used with another client id');
      const unknown = await ctx.probe.prepare('POST', `${API_BASE}/updates`, { body, session });
      unknown.headers.Authorization = unknown.headers.Authorization!.replace(/session="[^"]*"/, 'session="not-a-session"');
      expectRefusal(await ctx.probe.send(unknown), 401, 'unauthenticated', 'an unknown session id');
    },
  },
  {
    section: '3.3',
    title: 'a lapsed login is refused (session-expired)',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      if (ctx.doc.capabilities.includes('test-hooks')) {
        expectOk(await session.request('POST', 'test/expire-session', {}), 'the expire-session test hook');
      } else if (session.expiresIn <= 5) {
        await new Promise((resolve) => setTimeout(resolve, session.expiresIn * 1000 + 250));
      } else {
        throw new Skip(`logins live ${session.expiresIn} s; start the device with a session lifetime of 5 s or less, or with test hooks`);
      }
      expectRefusal(await session.request('POST', 'updates', someOffer(ctx)), 401, 'session-expired', 'an offer signed by a lapsed login');
    },
  },
  {
    section: '3.3',
    title: "a new login by the same client does not end the client's earlier login",
    async run(ctx) {
      const id = ctx.clientId();
      const first = await ctx.probe.login(id);
      const second = await ctx.probe.login(id);
      const body = someOffer(ctx);
      try {
        const reply = await first.request('POST', 'updates', body);
        assert(accepted(reply), `the first login was refused after the second: ${reply.status} ${JSON.stringify(reply.body)}`);
        const again = await second.request('GET', `updates/${body.sha256}`);
        assert(accepted(again), `the second login was refused: ${again.status} ${JSON.stringify(again.body)}`);
      } finally {
        await discardOffer(second, body.sha256);
      }
    },
  },
];
