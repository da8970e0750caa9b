// HTTP/1.1 transport: framing only. Bodies are read with limits (a chunk at most chunkSize, JSON at most 64 KiB);
// a streamed upload goes to storage as it arrives. Every reply carries CORS headers; preflights are answered,
// Private Network Access ones included, so a web page can reach the device.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_BASE } from '@fieldflash/protocol';
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

async function toRequest(req: IncomingMessage, url: URL, config: AgentConfig): Promise<AgentRequest> {
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const request: AgentRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: { authorization: header('authorization'), clientId: header('fieldflash-client'), protocol: header('fieldflash-protocol'), digest: header('content-digest') },
  };
  // Small devices' HTTP servers (ESP-IDF's among them) cannot read chunked request bodies; refusing them here
  // catches a client that relies on them before it meets such a device (docs/protocol.md §1.3).
  if (req.headers['transfer-encoding'] !== undefined) {
    throw new AgentRefusal('bad-request', 'Send the body with a Content-Length; this device does not read chunked request bodies.', {}, 411);
  }
  if (request.method === 'PUT') {
    if (request.headers.digest === undefined) request.stream = req as AsyncIterable<Uint8Array>;
    else request.bytes = await readBody(req, config.chunkSize, 'A chunk', { chunkSize: config.chunkSize });
  } else if (request.method === 'POST' || request.method === 'DELETE') {
    const text = (await readBody(req, MAX_JSON, 'A request body')).toString('utf8');
    if (text.trim()) {
      try {
        request.json = JSON.parse(text);
      } catch {
        request.jsonError = 'The request body is not valid JSON.';
      }
    }
  }
  return request;
}

export interface HttpTransport extends Network {
  server: Server;
  port: number;
  connections(): { open: number; peak: number };
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
        const reply = await dispatcher.handle(await toRequest(req, url, config));
        // A refusal before the whole body was read: close rather than drain an upload nobody wants.
        sendReply(req, res, reply, !req.complete);
      } catch (error) {
        if (res.headersSent) return;
        const refusal = error instanceof AgentRefusal ? error : new AgentRefusal('bad-request', `The request could not be read: ${error instanceof Error ? error.message : String(error)}.`);
        sendReply(req, res, { status: refusal.status, body: refusal.body }, true);
      }
    })();
  });
  let open = 0;
  let peak = 0;
  server.on('connection', (socket) => {
    peak = Math.max(peak, ++open);
    socket.once('close', () => open--);
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
