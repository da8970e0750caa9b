// §1.2 the order of checks and what a body may be, §1.3 HTTP as small devices speak it, §4.3 Content-Digest.
import { Agent } from 'node:http';
import { API_BASE, contentDigest, parseChunkAck } from '@fieldflash/protocol';
import { createHash } from 'node:crypto';
import { assert, type Check, expectRefusal, expectStatus, fail } from '../harness.ts';
import { acceptableOffer, expectOk, makeImage } from '../probe.ts';
import { rawRequest } from '../exact-http.ts';
import { offer, updatesPath, withOfferedImage } from './flows.ts';

export const requestChecks: Check[] = [
  {
    section: '1.2',
    title: 'a known path asked with another method is refused 405 with Allow, before authentication',
    async run(ctx) {
      for (const [method, path, allowed] of [
        ['DELETE', `${API_BASE}/device`, 'GET'],
        ['GET', `${API_BASE}/updates`, 'POST'],
        ['PUT', `${API_BASE}/reboot`, 'POST'],
      ] as const) {
        const reply = await ctx.probe.raw(method, path);
        expectRefusal(reply, 405, 'bad-request', `${method} ${path} without a signature`);
        const allow = (reply.headers.get('allow') ?? '').split(',').map((m) => m.trim());
        assert(allow.includes(allowed), `${method} ${path}: Allow is "${reply.headers.get('allow') ?? ''}", without ${allowed}`);
      }
    },
  },
  {
    section: '1.2',
    title: 'checks run in one order: route, authentication, syntax, busy, session, then the endpoint\'s own',
    async run(ctx) {
      const probe = ctx.probe;
      expectRefusal(await probe.raw('GET', `${API_BASE}/no-such-thing`), 404, 'bad-request', 'an unknown path without a signature');
      expectRefusal(await probe.raw('POST', `${API_BASE}/updates`, { headers: { 'Content-Type': 'application/json' }, bytes: new TextEncoder().encode('{"sha256":') }), 401, 'unauthenticated', 'malformed JSON without a signature');
      const first = await ctx.probe.login(ctx.clientId('first'));
      const second = await ctx.probe.login(ctx.clientId('second'));
      const image = makeImage(ctx.transferSize);
      const unknown = makeImage(100);
      try {
        expectRefusal(await first.request('GET', `updates/${unknown.sha256}`), 404, 'unknown-session', 'GET of an image the device never saw');
        await offer(first, ctx, image);
        expectRefusal(await second.request('POST', 'updates', { sha256: image.sha256 }), 400, 'bad-request', 'another client\'s malformed offer while the first holds the device');
        expectRefusal(await second.chunk(image.sha256, 0, image.bytes.subarray(0, 1000), 'sha-256=:AAAA:'), 400, 'bad-request', 'another client\'s chunk with a malformed Content-Digest while the first holds the device');
        expectRefusal(await second.request('GET', `updates/${unknown.sha256}`), 409, 'busy', 'another client\'s GET of an unknown image while the first holds the device');
        const offerOfOther = acceptableOffer(ctx.doc, unknown, { chipFamily: 'conformance-other-chip' });
        expectRefusal(await second.request('POST', 'updates', offerOfOther), 409, 'busy', 'another client\'s offer for another chip while the first holds the device');
      } finally {
        await first.discard(image.sha256);
      }
    },
  },
  {
    section: '1.2',
    title: 'null is refused like a wrong type, Content-Type is not needed, and an empty offer is refused',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      try {
        expectRefusal(await session.request('POST', 'updates', { ...acceptableOffer(ctx.doc, image), board: null }), 400, 'bad-request', 'an offer with "board": null');
        expectRefusal(await rawRequest(ctx.probe.url, { method: 'POST', path: `${API_BASE}/updates`, headers: await session.authHeaders('POST', `${API_BASE}/updates`) }), 400, 'bad-request', 'an offer with an empty body');
        const body = new TextEncoder().encode(JSON.stringify(await session.signed(acceptableOffer(ctx.doc, image))));
        const reply = await rawRequest(ctx.probe.url, { method: 'POST', path: `${API_BASE}/updates`, headers: await session.authHeaders('POST', `${API_BASE}/updates`, body), body });
        expectStatus(reply, 200, 'an offer without Content-Type');
      } finally {
        await session.discard(image.sha256);
      }
    },
  },
  {
    section: '1.3',
    title: 'Expect: 100-continue, as curl sends for bodies over 1 MiB: the device says 100 Continue and takes the upload',
    async run(ctx) {
      const size = Math.min(ctx.doc.maxImageSize, (1 << 20) + 4321);
      await withOfferedImage(ctx, size, async (session, image) => {
        const path = `${updatesPath(image.sha256)}?offset=0`;
        const reply = await rawRequest(ctx.probe.url, {
          method: 'PUT',
          path,
          headers: { ...(await session.authHeaders('PUT', path)), 'Content-Type': 'application/octet-stream' },
          body: image.bytes,
          expectContinue: true,
        });
        assert(reply.continued, `the device answered ${reply.status} without 100 Continue, so the body was never sent`);
        const ack = parseChunkAck(expectOk(reply, 'the upload sent after 100 Continue'));
        assert(ack.offset === size, `the upload was acknowledged up to ${ack.offset} of ${size}`);
      });
    },
  },
  {
    section: '1.3',
    title: 'the device serves as many connections at once as it announces in maxConnections',
    async run(ctx) {
      const count = ctx.doc.maxConnections;
      assert(Number.isInteger(count) && count >= 1, `maxConnections is ${String(count)}`);
      const agent = new Agent({ keepAlive: true, maxSockets: count });
      try {
        // Each connection stays open (keep-alive) while the others are made: `count` at once.
        const replies = await Promise.all(Array.from({ length: Math.min(count, 32) }, () => rawRequest(ctx.probe.url, { method: 'GET', path: `${API_BASE}/device`, agent })));
        const refused = replies.filter((r) => r.status !== 200);
        if (refused.length > 0) fail(`${refused.length} of ${replies.length} connections at once were answered ${refused.map((r) => r.status).join(', ')}`);
      } finally {
        agent.destroy();
      }
    },
  },
  {
    section: '4.3',
    title: 'Content-Digest in dictionary form is read for its sha-256 member; a malformed one is bad-request, not chunk-corrupt',
    async run(ctx) {
      const chunkSize = ctx.doc.chunk.size;
      await withOfferedImage(ctx, ctx.transferSize, async (session, image) => {
        const bytes = image.bytes.subarray(0, chunkSize);
        const sha512 = createHash('sha512').update(bytes).digest('base64');
        const both = `sha-512=:${sha512}:, ${await contentDigest(bytes)}`;
        const ack = parseChunkAck(expectOk(await session.chunk(image.sha256, 0, bytes, both), `a chunk with Content-Digest: sha-512=…, sha-256=…`));
        assert(ack.offset === chunkSize, `the chunk was acknowledged at ${ack.offset}`);
        const next = image.bytes.subarray(chunkSize, 2 * chunkSize);
        expectRefusal(await session.chunk(image.sha256, chunkSize, next, 'sha-256=:AAAA:'), 400, 'bad-request', 'a chunk whose sha-256 member is 3 bytes long');
      });
    },
  },
];
