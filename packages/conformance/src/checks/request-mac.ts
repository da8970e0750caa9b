// §3.3 per-request authentication, tried as an attacker on the same Wi-Fi would: a request seen on the network is
// sent again from another connection, or altered by one byte, and must be refused; counters are accepted once,
// within the documented window.
import { API_BASE, authorizationHeader, contentDigest, REPLAY_WINDOW, requestMac } from '@fieldflash/protocol';
import { assert, type Check, expectRefusal } from '../harness.ts';
import { makeImage, type Reply, type Session, type WireRequest } from '../probe.ts';

function authenticated(reply: Reply, what: string): void {
  assert(reply.status !== 401, `${what} was refused: ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** One byte of `text` at `index` changed to another character of the same kind. */
function flip(text: string, index: number): string {
  const c = text[index]!;
  const other = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : c === 'a' ? 'b' : c === 'A' ? 'B' : /[a-z]/.test(c) ? 'a' : 'A';
  return text.slice(0, index) + other + text.slice(index + 1);
}

/** A request signed by `session` with a counter of our choosing, as a client that keeps its own counter would. */
async function signedWithCounter(session: Session, target: string, counter: number): Promise<WireRequest> {
  const mac = await requestMac(session.sessionKey, { method: 'GET', target, digest: '', counter });
  return {
    method: 'GET',
    target,
    headers: { 'FieldFlash-Protocol': '1', 'FieldFlash-Client': session.clientId, Authorization: authorizationHeader({ sessionId: session.sessionId, counter, mac }) },
  };
}

export const requestMacChecks: Check[] = [
  {
    section: '3.3',
    title: 'a signed request captured on the network and sent again from another connection is refused (replayed)',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const captured = await ctx.probe.prepare('GET', `${API_BASE}/updates/${makeImage(100).sha256}`, { session });
      authenticated(await ctx.probe.sendAlone(captured), 'the original request');
      expectRefusal(await ctx.probe.sendAlone(captured), 401, 'replayed', 'the same request, headers and all, from another connection');
      expectRefusal(await ctx.probe.send(captured), 401, 'replayed', 'the same request on the client\'s own connection');
    },
  },
  {
    section: '3.3',
    title: 'a signed request with one byte of its path, query, Content-Digest or body changed is refused (bad-mac)',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(1000);
      const path = `${API_BASE}/updates/${image.sha256}`;
      const pathChanged = await ctx.probe.prepare('GET', path, { session });
      pathChanged.target = flip(pathChanged.target, pathChanged.target.length - 1);
      expectRefusal(await ctx.probe.send(pathChanged), 401, 'bad-mac', 'a request whose path lost one byte to another');

      const chunk = image.bytes.subarray(0, 100);
      const queryChanged = await ctx.probe.prepare('PUT', `${path}?offset=0`, { session, bytes: chunk, headers: { 'Content-Digest': await contentDigest(chunk) } });
      queryChanged.target = `${path}?offset=1`;
      expectRefusal(await ctx.probe.send(queryChanged), 401, 'bad-mac', 'a chunk whose ?offset was changed');

      const digestChanged = await ctx.probe.prepare('PUT', `${path}?offset=0`, { session, bytes: chunk, headers: { 'Content-Digest': await contentDigest(chunk) } });
      const digest = digestChanged.headers['Content-Digest']!;
      digestChanged.headers['Content-Digest'] = flip(digest, digest.indexOf(':') + 1);
      expectRefusal(await ctx.probe.send(digestChanged), 401, 'bad-mac', 'a chunk whose Content-Digest was changed');

      const offer = { sha256: image.sha256, size: 1000, version: '9.9.9', chipFamily: ctx.doc.chipFamily };
      const bodyChanged = await ctx.probe.prepare('POST', `${API_BASE}/updates`, { session, body: offer });
      bodyChanged.body = new TextEncoder().encode(JSON.stringify({ ...offer, version: '9.9.8' }));
      expectRefusal(await ctx.probe.send(bodyChanged), 401, 'bad-mac', 'an offer whose body was changed under its Content-Digest');

      const undigested = await ctx.probe.prepare('POST', `${API_BASE}/updates`, { session, body: offer });
      delete undigested.headers['Content-Digest'];
      undigested.headers.Authorization = await session.signer.authorization('POST', `${API_BASE}/updates`, '');
      expectRefusal(await ctx.probe.send(undigested), 401, 'bad-mac', 'an offer whose body no Content-Digest covers');
    },
  },
  {
    section: '3.3',
    title: `each counter is accepted once, and one more than ${REPLAY_WINDOW} below the highest is too old (replayed)`,
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const target = `${API_BASE}/updates/${makeImage(100).sha256}`;
      const highest = 1000;
      authenticated(await ctx.probe.send(await signedWithCounter(session, target, highest)), `counter ${highest}`);
      expectRefusal(await ctx.probe.send(await signedWithCounter(session, target, highest)), 401, 'replayed', `counter ${highest} a second time`);
      expectRefusal(await ctx.probe.send(await signedWithCounter(session, target, highest - REPLAY_WINDOW)), 401, 'replayed', `counter ${highest - REPLAY_WINDOW}, ${REPLAY_WINDOW} below the highest`);
      authenticated(await ctx.probe.send(await signedWithCounter(session, target, highest - REPLAY_WINDOW + 1)), `counter ${highest - REPLAY_WINDOW + 1}, unseen and inside the window`);
      authenticated(await ctx.probe.send(await signedWithCounter(session, target, highest - 1)), `counter ${highest - 1}, overtaken by ${highest}`);
    },
  },
];
