// §3.4 no stranger locks out the owner: junk answers guess nothing and are not counted, a flood of challenge
// requests never pushes out the owner's open challenge, and concurrent wrong proofs are counted before they are
// checked, so at most the documented burst is evaluated, and a guesser who waits the Retry-After gets in again.
import { API_BASE } from '@fieldflash/protocol';
import { assert, type Check, type Context, expectRefusal, refusal } from '../harness.ts';
import { expectOk, type Reply } from '../probe.ts';
import { answer, challenge, type OpenChallenge } from './auth.ts';

/** Proofs one requester may have evaluated in a burst, and the seconds after which one more may be (§3.4). */
const GUESS_BURST = 5;
const GUESS_REFILL_SECONDS = 2;

async function inBatches<T>(count: number, batch: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += batch) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, i) => one(start + i)))));
  }
  return results;
}

function retryAfter(reply: Reply, what: string): number {
  const header = Number(reply.headers.get('retry-after'));
  const detail = refusal(reply).retryAfterSeconds;
  assert(Number.isInteger(header) && header >= 1 && header <= GUESS_REFILL_SECONDS, `${what}: Retry-After is ${reply.headers.get('retry-after')}, not 1 to ${GUESS_REFILL_SECONDS}`);
  assert(detail === header, `${what}: retryAfterSeconds (${String(detail)}) differs from Retry-After (${header})`);
  return header;
}

/** Clears the challenges a flood left open, so the checks after this one find the device as before. */
async function clearFlood(ctx: Context, waitSeconds: number): Promise<void> {
  if (ctx.doc.capabilities.includes('test-hooks')) {
    const helper = await ctx.probe.login(ctx.clientId('hook'));
    expectOk(await helper.request('POST', 'test/expire-challenges', {}), 'the expire-challenges test hook');
  } else if (waitSeconds > 0) {
    await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
  }
}

export const lockoutChecks: Check[] = [
  {
    section: '3.4',
    title: "junk auth/response bodies naming the owner's client, JSON and text/plain as a web page sends them, leave the owner's login untouched",
    async run(ctx) {
      const owner = ctx.clientId('owner');
      const junk = { challengeId: 'c-0000', clientId: owner, clientNonce: 'AAAAAAAAAAAAAAAAAAAAAA==', proof: '0'.repeat(64) };
      const replies = await inBatches(40, 10, (i) => {
        const kind = i % 4;
        if (kind === 0) return ctx.probe.raw('POST', `${API_BASE}/auth/response`, { body: junk });
        if (kind === 1) return ctx.probe.raw('POST', `${API_BASE}/auth/response`, { headers: { 'Content-Type': 'text/plain' }, bytes: new TextEncoder().encode(JSON.stringify(junk)) });
        if (kind === 2) return ctx.probe.raw('POST', `${API_BASE}/auth/response`, { body: { clientId: owner } });
        return ctx.probe.raw('POST', `${API_BASE}/auth/response`, { headers: { 'Content-Type': 'text/plain' }, bytes: new TextEncoder().encode('password=guess') });
      });
      for (const [i, reply] of replies.entries()) {
        assert(reply.status >= 400 && reply.status < 500 && reply.status !== 429, `junk answer ${i + 1} got ${reply.status} ${JSON.stringify(reply.body)}`);
      }
      expectRefusal(replies[0]!, 401, 'replayed', 'an answer to a challenge the device never issued');
      await ctx.probe.login(owner);
    },
  },
  {
    section: '3.4',
    title: "a burst of challenge requests from other clients leaves the owner's open challenge answerable",
    async run(ctx) {
      const owner = ctx.clientId('owner');
      const open = await challenge(ctx.probe, owner);
      const flooder = ctx.clientId('flood');
      const one = await inBatches(300, 20, () => ctx.probe.raw('POST', `${API_BASE}/auth/challenge`, { body: { clientId: flooder } }));
      const many = await inBatches(100, 20, (i) => ctx.probe.raw('POST', `${API_BASE}/auth/challenge`, { body: { clientId: `${flooder}-${i}` } }));
      let longest = 0;
      for (const reply of [...one, ...many]) {
        if (reply.status === 429) longest = Math.max(longest, Number(reply.headers.get('retry-after')) || 0);
        else expectOk(reply, 'a challenge request of the flood');
      }
      expectOk(await answer(ctx.probe, owner, open), "the owner's answer to the challenge it asked for before the flood");
      await clearFlood(ctx, longest);
    },
  },
  {
    section: '3.4',
    title: `40 wrong proofs at once: each challenge evaluates one, at most ${GUESS_BURST} are evaluated, the rest wait a Retry-After of at most ${GUESS_REFILL_SECONDS} s`,
    async run(ctx) {
      const guesser = ctx.clientId('guesser');
      const open: OpenChallenge[] = [];
      for (let i = 0; i < 8; i++) open.push(await challenge(ctx.probe, guesser));
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => answer(ctx.probe, guesser, open[i % open.length]!, 'not the password')));
      const elapsed = (Date.now() - started) / 1000;
      const codes = replies.map((reply) => `${reply.status} ${refusal(reply).code}`);
      const evaluated = codes.filter((code) => code === '401 bad-proof').length;
      const allowed = GUESS_BURST + Math.floor(elapsed / GUESS_REFILL_SECONDS);
      assert(evaluated >= 1 && evaluated <= allowed, `${evaluated} of 40 concurrent wrong proofs were evaluated (bad-proof) in ${elapsed.toFixed(1)} s; at most ${allowed} may be`);
      const unexpected = codes.filter((code) => !['401 bad-proof', '401 replayed', '429 rate-limited'].includes(code));
      assert(unexpected.length === 0, `unexpected answers to wrong proofs: ${unexpected.join(', ')}`);
      const limited = replies.filter((reply) => reply.status === 429);
      // On a slow link the limit may refill while the 40 arrive; only more challenges than the limit allowed must meet it.
      if (allowed < open.length) assert(limited.length > 0, `${open.length} challenges answered wrongly at once in ${elapsed.toFixed(1)} s were never rate-limited`);
      const wait = Math.max(0, ...limited.map((reply, i) => retryAfter(reply, `rate-limited answer ${i + 1}`)));

      await ctx.probe.login(ctx.clientId('owner'));
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      await ctx.probe.login(guesser);
    },
  },
];
