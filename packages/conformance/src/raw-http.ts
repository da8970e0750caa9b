// Requests a well-behaved client never makes, which fetch cannot make: a foreign Host header, a head whose body
// never follows, connections that stay silent. Each answers what the device did, or that it did nothing in time.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawReply {
  status: number;
  /** Interim (1xx) statuses that came before the reply, e.g. 100 Continue. */
  interim: number[];
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as the body; without it, only the head goes out (with whatever Content-Length `headers` declare). */
  body?: string | Uint8Array;
  /** How long to wait for the reply. */
  waitMs?: number;
}

/** Sends one request on a fresh connection; resolves with the reply, or null when none came within `waitMs`. */
export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawReply | null> {
  const url = new URL(options.path, baseUrl);
  return new Promise((resolve) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: options.method, headers: options.headers, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(null);
    }, options.waitMs ?? 5000);
    req.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    const interim: number[] = [];
    req.on('information', (info) => interim.push(info.statusCode));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (piece: string) => (body += piece));
      const done = (): void => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, interim, headers: res.headers, body });
      };
      res.on('end', done);
      res.on('error', done);
    });
    if (options.body !== undefined) req.end(options.body);
    else req.flushHeaders();
  });
}

/** The error code of a JSON refusal, if the body is one. */
export function codeOf(reply: RawReply | null): string | undefined {
  try {
    return (JSON.parse(reply?.body ?? '') as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** Opens `count` connections that send nothing; resolves once each is connected (or was refused). */
export async function idleConnections(baseUrl: string, count: number): Promise<Socket[]> {
  const url = new URL(baseUrl);
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect(Number(url.port || 80), url.hostname);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => resolve());
    });
    sockets.push(socket);
  }
  return sockets;
}
