// HTTP/1.1 transport: framing only. Requests are authenticated from their headers before a body is read; bodies are
// read with limits (a chunk at most chunkSize, JSON at most 64 KiB);
// a streamed upload goes to storage as it arrives. Every reply carries CORS headers; preflights are answered,
// Private Network Access ones included, so a web page can reach the device.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_BASE, contentDigestSha256 } from '@fieldflash/protocol';
import type { Network } from './boot.ts';
import type { AgentConfig } from './config.ts';
import type { AgentReply, AgentRequest, Dispatcher } from './dispatcher.ts';
import { AgentRefusal } from './errors.ts';

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

export function sendReply(req: IncomingMessage, res: ServerResponse, reply: AgentReply, close = false): void {
  const headers: Record<string, string> = { ...corsHeaders(req), ...reply.headers, 'Cache-Control': 'no-store' };
  if (close) headers.Connection = 'close';
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
  } else if (typeof reply.body === 'string') {
    res.writeHead(reply.status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(reply.body);
  } else {
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(reply.body));
  }
}

/** Reads a body of at most `limit` bytes, or refuses it with 413 before reading more. */
export async function readBody(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new AgentRefusal('too-large', `${what} may be at most ${limit} bytes; this one is ${declared}.`);
  // With a declared length the body is copied into one buffer as it arrives, so a chunk is never held twice
  // (its socket pieces and their concatenation): the agent's memory stays near the chunk window.
  const body = declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
  const parts: Buffer[] = [];
  let length = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    if (length + part.length > (body?.length ?? limit)) throw new AgentRefusal('too-large', `${what} may be at most ${body?.length ?? limit} bytes.`);
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

async function toRequest(req: IncomingMessage, url: URL, config: AgentConfig, dispatcher: Dispatcher): Promise<AgentRequest> {
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const request: AgentRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: { authorization: header('authorization'), clientId: header('fieldflash-client'), protocol: header('fieldflash-protocol'), digest: header('content-digest') },
    target: req.url ?? url.pathname,
    remoteAddress: peerAddress(req),
  };
  // From the headers alone: a stranger's body is never read.
  dispatcher.authenticate(request);
  if (request.method === 'PUT') {
    if (request.headers.digest === undefined) request.stream = req as AsyncIterable<Uint8Array>;
    else request.bytes = await readBody(req, config.chunkSize, 'A chunk');
  } else if (request.method === 'POST' || request.method === 'DELETE') {
    const body = await readBody(req, MAX_JSON, 'A request body');
    if (request.login) checkBodyDigest(body, request.headers.digest);
    const text = body.toString('utf8');
    if (text.trim()) {
      try {
        request.json = JSON.parse(text);
      } catch {
        throw new AgentRefusal('bad-request', 'The request body is not valid JSON.');
      }
    }
  }
  return request;
}

export interface HttpTransport extends Network {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startHttp(config: AgentConfig, deviceId: () => string, dispatcher: Dispatcher, extra?: ExtraRoutes): Promise<HttpTransport> {
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
        if (req.method === 'OPTIONS') return preflight(req, res, deviceId());
        if (extra && (await extra(req, res, url))) return;
        if (!url.pathname.startsWith(`${API_BASE}/`)) {
          return sendReply(req, res, { status: 404, body: new AgentRefusal('bad-request', `Nothing here: the FieldFlash agent answers under ${API_BASE}/.`).body });
        }
        const reply = await dispatcher.handle(await toRequest(req, url, config, dispatcher));
        // A refusal before the whole body was read: close rather than drain an upload nobody wants.
        sendReply(req, res, reply, !req.complete);
      } catch (error) {
        if (res.headersSent) return;
        const refusal = error instanceof AgentRefusal ? error : new AgentRefusal('bad-request', `The request could not be read: ${error instanceof Error ? error.message : String(error)}.`);
        sendReply(req, res, { status: refusal.status, body: refusal.body }, true);
      }
    })();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = config.totalTimeoutMs;
  server.keepAliveTimeout = 5_000;

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
