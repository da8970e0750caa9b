// HTTP/1.1 transport: framing only. Requests are authenticated from their headers before a body is read; bodies are
// read with limits (a chunk at most chunkSize, JSON at most 64 KiB);
// a streamed upload goes to storage as it arrives. Every reply carries CORS headers; preflights are answered,
// Private Network Access ones included, so a web page can reach the device.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_BASE, contentDigestSha256, MAX_OFFER_BODY, parseJson } from '@fieldflash/protocol';
import type { Network } from './boot.ts';
import type { AgentConfig } from './config.ts';
import type { AgentReply, AgentRequest, Dispatcher } from './dispatcher.ts';
import { capConnections } from './connection-guard.ts';
import { AgentRefusal } from './errors.ts';
import { isOwnHost, ownHostNames } from './host-check.ts';

const MAX_JSON = 64 * 1024;

const ALLOW_HEADERS = 'Authorization, Content-Type, Content-Digest, FieldFlash-Client, FieldFlash-Protocol';

export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return {
    'Access-Control-Allow-Origin': origin ?? '*',
    Vary: 'Origin',
    'Access-Control-Expose-Headers': 'Retry-After, Content-Digest',
  };
}

/**
 * Whether a reply must close the connection: the request's body was not read and is too large to discard. A small
 * unread body (at most 64 KiB declared) is discarded instead, so the client reads the refusal rather than a reset.
 */
export function mustClose(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const declared = req.headers['content-length'];
  return declared === undefined ? req.headers['transfer-encoding'] !== undefined : !(Number(declared) <= MAX_JSON);
}

/**
 * A client that asked `Expect: 100-continue` sends its body only when told to: tell it once the head was accepted
 * (authentication included), never before, so a refused request's body is never even sent.
 */
export function continueIfAsked(req: IncomingMessage, res: ServerResponse): void {
  if (/^100-continue$/i.test(req.headers.expect ?? '')) res.writeContinue();
}

/** Writes a reply; `cors` false leaves out the CORS headers, for replies no web page may read. */
export function sendReply(req: IncomingMessage, res: ServerResponse, reply: AgentReply, close = false, cors = true): void {
  const headers: Record<string, string> = { ...(cors ? corsHeaders(req) : {}), ...reply.headers, 'Cache-Control': 'no-store' };
  if (close) headers.Connection = 'close';
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
  } else if (typeof reply.body === 'string') {
    res.writeHead(reply.status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(reply.body);
  } else {
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(reply.body));
  }
}

/** Reads a body of at most `limit` bytes, or refuses it with 413 (and `details`, e.g. chunkSize) before reading more. */
export async function readBody(req: IncomingMessage, limit: number, what: string, details: Record<string, number> = {}): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new AgentRefusal('too-large', `${what} may be at most ${limit} bytes; this one is ${declared}.`, details);
  // With a declared length the body is copied into one buffer as it arrives, so a chunk is never held twice
  // (its socket pieces and their concatenation): the agent's memory stays near the chunk window.
  const body = declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    if (length + part.length > (body?.length ?? limit)) throw new AgentRefusal('too-large', `${what} may be at most ${body?.length ?? limit} bytes.`, details);
    if (body) part.copy(body, length);
    else parts.push(part);
    length += part.length;
  }
  if (body) return length === body.length ? body : body.subarray(0, length);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function preflight(req: IncomingMessage, res: ServerResponse, deviceId: string): void {
  const headers: Record<string, string> = {
    ...corsHeaders(req),
    'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': ALLOW_HEADERS,
    'Access-Control-Max-Age': '600',
  };
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['Access-Control-Allow-Private-Network'] = 'true';
    headers['Private-Network-Access-Name'] = deviceId;
  }
  res.writeHead(204, headers).end();
}

/** The peer's address, with an IPv4 address mapped into IPv6 written as IPv4. */
function peerAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * A signed request's JSON body must be the one its MAC covers: it carries a Content-Digest, and the bytes match it.
 * Checked once the body is read; the MAC itself was checked from the headers before.
 */
function checkBodyDigest(body: Buffer, digest: string | undefined): void {
  if (body.length === 0) return;
  if (digest === undefined) throw new AgentRefusal('bad-mac', 'A signed request with a body needs Content-Digest, so that its MAC covers the body.');
  if (contentDigestSha256(digest) !== createHash('sha256').update(body).digest('base64')) {
    throw new AgentRefusal('bad-mac', 'The body does not match the Content-Digest the request\'s MAC covers: it was altered on its way.');
  }
}

/** The request as far as its head tells: method, path, query and the headers the protocol uses. No body yet. */
function requestHead(req: IncomingMessage, url: URL): AgentRequest {
  // Small devices' HTTP servers (ESP-IDF's among them) cannot read chunked request bodies; refusing them here
  // catches a client that relies on them before it meets such a device (docs/protocol.md §1.3).
  if (req.headers['transfer-encoding'] !== undefined) {
    throw new AgentRefusal('bad-request', 'Send the body with a Content-Length; this device does not read chunked request bodies.', {}, 411);
  }
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: { authorization: header('authorization'), clientId: header('fieldflash-client'), protocol: header('fieldflash-protocol'), digest: header('content-digest') },
    target: req.url ?? url.pathname,
    remoteAddress: peerAddress(req),
  };
}

/**
 * Reads the body of an admitted request: a chunk, a stream (PUT without Content-Digest), or JSON. A JSON body (at
 * most 64 KiB, an offer at most MAX_OFFER_BODY) must arrive within `jsonDeadlineMs`, so a body trickled by a stranger cannot hold a connection.
 */
async function readRequestBody(req: IncomingMessage, res: ServerResponse, request: AgentRequest, config: AgentConfig): Promise<void> {
  if (request.method === 'PUT' && request.path.startsWith(`${API_BASE}/updates/`)) {
    if (request.headers.digest === undefined && config.singleRequest) request.stream = req as AsyncIterable<Uint8Array>;
    else request.bytes = await readBody(req, config.chunkSize, 'A chunk', { chunkSize: config.chunkSize });
  } else if (request.method === 'POST' || request.method === 'PUT' || request.method === 'DELETE') {
    const deadline = setTimeout(() => {
      const refusal = new AgentRefusal('timeout', `The request body did not arrive within ${config.jsonDeadlineMs / 1000} s; the device closed the request.`);
      if (!res.headersSent) sendReply(req, res, { status: refusal.status, body: refusal.body }, true);
      req.destroy();
    }, config.jsonDeadlineMs);
    try {
      // An offer may carry a signed manifest (§4.9), so it alone may be larger; the bound stays (§10).
      const offer = request.method === 'POST' && request.path === `${API_BASE}/updates`;
      const body = await readBody(req, offer ? MAX_OFFER_BODY : MAX_JSON, offer ? 'An update offer' : 'A request body');
      if (request.login) checkBodyDigest(body, request.headers.digest);
      const text = body.toString('utf8');
      if (text.trim()) request.json = parseJson(text, 'The request body');
    } finally {
      clearTimeout(deadline);
    }
  }
}

export interface HttpTransport extends Network {
  server: Server;
  port: number;
  connections(): { open: number; peak: number };
  close(): Promise<void>;
}

export async function startHttp(config: AgentConfig, deviceId: () => string, dispatcher: Dispatcher, extra?: ExtraRoutes): Promise<HttpTransport> {
  let names: Set<string> | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://device');
      // A body that stops arriving: say so (408 timeout) and close, so a stuck client never holds the device.
      req.setTimeout(config.idleTimeoutMs, () => {
        if (!res.headersSent) {
          const refusal = new AgentRefusal('timeout', `Nothing arrived for ${Math.round(config.idleTimeoutMs / 1000)} s; the device closed the request. Continue from the offset it reports.`);
          sendReply(req, res, { status: refusal.status, body: refusal.body }, true);
        }
        req.destroy();
      });
      try {
        if (!isOwnHost(req.headers.host, names ??= ownHostNames(deviceId(), config.hostNames))) {
          const refusal = new AgentRefusal('unknown-host', `This device does not answer to the name ${JSON.stringify(req.headers.host)}. Use its IP address, localhost or one of its own names.`);
          return sendReply(req, res, { status: refusal.status, body: refusal.body }, mustClose(req), false);
        }
        const api = url.pathname.startsWith(`${API_BASE}/`);
        if (req.method === 'OPTIONS' && api) return preflight(req, res, deviceId());
        if (extra && (await extra(req, res, url))) return;
        if (!api) {
          // Outside the protocol nothing is for a web page: no CORS headers, preflights included.
          return sendReply(req, res, { status: 404, body: new AgentRefusal('bad-request', `Nothing here: the FieldFlash agent answers under ${API_BASE}/.`).body }, mustClose(req), false);
        }
        const request = requestHead(req, url);
        // Authentication (and the protocol version) from the head alone: a stranger's body is never read.
        dispatcher.admit(request);
        continueIfAsked(req, res);
        await readRequestBody(req, res, request, config);
        const reply = await dispatcher.handle(request);
        // A refusal before the whole body was read: close rather than drain an upload nobody wants.
        sendReply(req, res, reply, mustClose(req));
      } catch (error) {
        if (res.headersSent || res.destroyed) return;
        const refusal = error instanceof AgentRefusal ? error : new AgentRefusal('bad-request', `The request could not be read: ${error instanceof Error ? error.message : String(error)}.`);
        const headers: Record<string, string> = { ...refusal.headers };
        if (typeof refusal.details.retryAfterSeconds === 'number') headers['Retry-After'] = String(refusal.details.retryAfterSeconds);
        sendReply(req, res, { status: refusal.status, body: refusal.body, headers }, mustClose(req) || !(error instanceof AgentRefusal));
      }
    })();
  });
  // Node would answer 100 Continue before the handler runs; the handler does it after authentication instead.
  server.on('checkContinue', (req, res) => server.emit('request', req, res));
  let open = 0;
  let peak = 0;
  server.on('connection', (socket) => {
    peak = Math.max(peak, ++open);
    socket.once('close', () => open--);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = config.totalTimeoutMs;
  server.keepAliveTimeout = 5_000;
  capConnections(server, config.maxConnections);

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(config.port);
  const port = (server.address() as AddressInfo).port;

  let down = false;
  const transport: HttpTransport = {
    server,
    port,
    connections: () => ({ open, peak }),
    async down() {
      if (down) return;
      down = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async up() {
      if (!down) return;
      down = false;
      await listen(port);
    },
    async close() {
      await transport.down();
    },
  };
  return transport;
}
