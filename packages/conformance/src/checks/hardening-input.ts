// Attacks from the shared Wi-Fi on what a device reads: claims it must bound, input it must refuse with a 4xx and
// its code (never a 500), names it must not answer to, bodies it must not read before authentication, and idle
// connections that must not lock the owner out.
import { API_BASE, contentDigest } from '@fieldflash/protocol';
import { assert, type Check, type Context, expectRefusal, fail } from '../harness.ts';
import { acceptableOffer, expectOk, makeImage, type Session } from '../probe.ts';
import { codeOf, idleConnections, rawRequest } from '../raw-http.ts';
import { withOfferedImage } from './flows.ts';

/** JSON nested `depth` levels deep: an attack on recursive parsers and printers. */
const deeplyNested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

async function expectBadRequest(reply: Awaited<ReturnType<Session['request']>>, what: string): Promise<void> {
  expectRefusal(reply, 400, 'bad-request', what);
}


/** After a refusal, the device must still take an ordinary offer: nothing the attack sent stuck. */
async function stillAcceptsAnOffer(ctx: Context, session: Session): Promise<void> {
  const image = makeImage(1000);
  try {
    expectOk(await session.request('POST', 'updates', acceptableOffer(await ctx.probe.device(), image)), 'an ordinary offer after the refused ones');
  } finally {
    await session.discard(image.sha256);
  }
}

export const inputChecks: Check[] = [
  {
    section: '4.1',
    title: 'an image of another product is refused (incompatible-product); an offer without product is not compared',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      try {
        const error = expectRefusal(await session.request('POST', 'updates', acceptableOffer(ctx.doc, image, { product: `${ctx.doc.product}-other` })), 409, 'incompatible-product', 'an offer of another product');
        assert(error.device === ctx.doc.product && error.image === `${ctx.doc.product}-other`, `the refusal names device ${String(error.device)} and image ${String(error.image)}`);
        const { product: _product, ...withoutProduct } = acceptableOffer(ctx.doc, image);
        expectOk(await session.request('POST', 'updates', withoutProduct), 'an offer without product');
      } finally {
        await session.discard(image.sha256);
      }
    },
  },
  {
    section: '4.1',
    title: 'counters beyond their range and versions semver cannot read are refused (bad-request), and block nothing later',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      try {
        const attempts: Array<[string, Record<string, unknown>]> = [
          ['securityVersion 2^53-1', { securityVersion: Number.MAX_SAFE_INTEGER }],
          ['securityVersion 256', { securityVersion: 256 }],
          ['sequence 2^32', { sequence: 2 ** 32 }],
          ['a version of 1000 characters', { version: `1.0.0-${'a'.repeat(994)}` }],
          ['a version whose major number is past 2^53', { version: '99999999999999999999.0.0' }],
          ['a version with four numbers', { version: '1.2.3.4' }],
          ['a version with a leading v', { version: 'v9.0.0' }],
        ];
        for (const [what, change] of attempts) await expectBadRequest(await session.request('POST', 'updates', { ...acceptableOffer(ctx.doc, image), ...change }), `an offer with ${what}`);
        const after = await ctx.probe.device();
        assert(after.securityVersion === ctx.doc.securityVersion && after.sequence === ctx.doc.sequence, `the refused offers moved the counters to ${after.sequence}/${after.securityVersion}`);
        await stillAcceptsAnOffer(ctx, session);
      } finally {
        await session.discard(image.sha256);
      }
    },
  },
  {
    section: '2',
    title: 'the device document says where its counters came from (counterSources)',
    async run(ctx) {
      const sources = ctx.doc.counterSources;
      assert(sources, 'the device document has no counterSources');
    },
  },
  {
    section: '1',
    title: 'JSON nested 20 000 deep, a bad Content-Digest and loose offsets get 400 bad-request, never a 500',
    async run(ctx) {
      const nested = deeplyNested(20_000);
      const challenge = await rawRequest(ctx.probe.url, { method: 'POST', path: `${API_BASE}/auth/challenge`, headers: { 'Content-Type': 'application/json' }, body: nested });
      assert(challenge?.status === 400 && codeOf(challenge) === 'bad-request', `JSON nested 20 000 deep to auth/challenge: ${challenge ? `${challenge.status} ${challenge.body.slice(0, 120)}` : 'no reply'}`);
      await withOfferedImage(ctx, ctx.transferSize, async (session, image) => {
        const offer = await rawRequest(ctx.probe.url, { method: 'POST', path: `${API_BASE}/updates`, headers: { ...(await session.authHeaders('POST', `${API_BASE}/updates`, nested)), 'Content-Type': 'application/json' }, body: nested });
        assert(offer?.status === 400 && codeOf(offer) === 'bad-request', `JSON nested 20 000 deep to updates: ${offer ? `${offer.status} ${offer.body.slice(0, 120)}` : 'no reply'}`);
        const chunk = image.bytes.subarray(0, ctx.doc.chunk.size);
        for (const digest of ['sha-256=:!!!not-base64!!!:', 'sha-256=:AAAA:', `sha-256=:${'A'.repeat(44)}:`]) {
          await expectBadRequest(await session.chunk(image.sha256, 0, chunk, digest), `a chunk with Content-Digest ${digest}`);
        }
        const good = await contentDigest(chunk);
        for (const offset of ['0x0', '0e0', '+0', '-0', '00', '0.0', '%200', '', '1234567890123456']) {
          const target = `${API_BASE}/updates/${image.sha256}?offset=${offset}`;
          const reply = await rawRequest(ctx.probe.url, { method: 'PUT', path: target, headers: { ...(await session.authHeaders('PUT', target, undefined, good)), 'Content-Type': 'application/octet-stream' }, body: chunk });
          assert(reply?.status === 400 && codeOf(reply) === 'bad-request', `?offset=${offset}: ${reply ? `${reply.status} ${reply.body.slice(0, 120)}` : 'no reply'}`);
        }
        const status = expectOk(await session.request('GET', `updates/${image.sha256}`), 'the session after the refused chunks') as { offset: number };
        assert(status.offset === 0, `after refused chunks the session is at ${status.offset}, not 0`);
      });
    },
  },
  {
    section: '7.3',
    title: 'a request for a host name that is not the device\'s is refused (421 unknown-host): DNS rebinding',
    async run(ctx) {
      const port = new URL(ctx.probe.url).port;
      const rebound = await rawRequest(ctx.probe.url, { method: 'GET', path: `${API_BASE}/device`, headers: { Host: `rebind.attacker.example${port ? `:${port}` : ''}` } });
      assert(rebound?.status === 421 && codeOf(rebound) === 'unknown-host', `Host: rebind.attacker.example answered ${rebound ? `${rebound.status} ${rebound.body.slice(0, 120)}` : 'nothing'}`);
      const preflight = await rawRequest(ctx.probe.url, { method: 'OPTIONS', path: `${API_BASE}/updates`, headers: { Host: 'rebind.attacker.example', Origin: 'http://rebind.attacker.example', 'Access-Control-Request-Method': 'POST' } });
      assert(preflight?.status === 421, `a preflight for Host: rebind.attacker.example answered ${preflight?.status ?? 'nothing'}`);
      const literal = await rawRequest(ctx.probe.url, { method: 'GET', path: `${API_BASE}/device`, headers: { Host: new URL(ctx.probe.url).host } });
      assert(literal?.status === 200, `the device's own address as Host answered ${literal?.status ?? 'nothing'}`);
    },
  },
  {
    section: '3.3',
    title: 'unsigned requests are refused before their body is read (and before 100 Continue)',
    async run(ctx) {
      const image = makeImage(1000);
      // Only the head goes out: a device that waits for the declared body before refusing never answers.
      const chunk = await rawRequest(ctx.probe.url, { method: 'PUT', path: `${API_BASE}/updates/${image.sha256}?offset=0`, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(ctx.doc.chunk.size), 'Content-Digest': `sha-256=:${'A'.repeat(43)}=:` }, waitMs: 5000 });
      if (!chunk) fail('an unauthenticated chunk PUT got no answer within 5 s while its body was held back: the device waits to read the body first');
      assert(chunk.status === 401 && codeOf(chunk) === 'unauthenticated', `an unauthenticated chunk PUT answered ${chunk.status} ${chunk.body.slice(0, 120)}`);
      const expecting = await rawRequest(ctx.probe.url, { method: 'PUT', path: `${API_BASE}/updates/${image.sha256}?offset=0`, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(2 * 1024 * 1024), Expect: '100-continue' }, waitMs: 5000 });
      if (!expecting) fail('an unauthenticated PUT with Expect: 100-continue got no answer within 5 s');
      assert(expecting.status === 401 && !expecting.interim.includes(100), `an unauthenticated PUT with Expect: 100-continue got ${[...expecting.interim, expecting.status].join(' then ')}; the device must refuse it without asking for the body`);
      const offer = await rawRequest(ctx.probe.url, { method: 'POST', path: `${API_BASE}/updates`, headers: { 'Content-Type': 'application/json', 'Content-Length': '60000' }, waitMs: 5000 });
      if (!offer) fail('an unauthenticated offer got no answer within 5 s while its body was held back');
      assert(offer.status === 401 && codeOf(offer) === 'unauthenticated', `an unauthenticated offer answered ${offer.status} ${offer.body.slice(0, 120)}`);
    },
  },
  {
    section: '10',
    title: 'many idle connections do not lock the owner out, and the device keeps no more than 256 of them open',
    async run(ctx) {
      const sockets = await idleConnections(ctx.probe.url, 300);
      let closed = 0;
      for (const socket of sockets) if (socket.destroyed) closed++;
      else socket.once('close', () => closed++);
      try {
        const session = await ctx.probe.login(ctx.clientId('owner'));
        expectOk(await session.request('GET', 'device'), 'the owner\'s request while 300 idle connections are open');
        // Without a cap, enough idle connections exhaust the device's sockets or file descriptors (the owner's too).
        const deadline = Date.now() + 5000;
        while (closed < 300 - 256 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        assert(closed >= 300 - 256, `the device keeps ${300 - closed} idle connections open; it should close idle ones beyond its cap`);
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    },
  },
];
