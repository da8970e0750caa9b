// HTTP for Node programs (the push command, benchmarks): node:http with keep-alive connections, one per chunk in
// flight. Node's built-in fetch costs a few milliseconds per request, which at 64 KiB chunks is most of the
// transfer; the page uses the fetch transport, whose browser implementation has no such cost. The rest of an
// image goes as the page sends it, in one request streamed from its Blob (docs/protocol.md §4.6).

import { createHmac } from 'node:crypto';
import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { apiUrl, describe, type HttpTarget, jsonBytes, replyOf, requestHeaders, type SignedTransport } from '../http-transport.ts';
import { type RequestSigner, useSyncHmac } from '../request-auth.ts';
import type { Method } from '../api.ts';
import { type ChunkUpload, LinkError, type Reply, type RestUpload } from '../transport.ts';

const IDEMPOTENT = new Set<Method>(['GET', 'PUT', 'DELETE']);

// Node programs sign requests with node:crypto: the same MACs, without WebCrypto's asynchronous round trip.
useSyncHmac((key, text) => createHmac('sha256', key).update(text).digest('hex'));

class StaleConnection extends Error {}

/** Large reads: each is one copy out of the Blob, and the socket takes a megabyte as readily as 64 KiB. */
const PUMP_STEP = 1024 * 1024;

/**
 * Writes the Blob into the request a megabyte at a time, waiting while the socket's buffer is full: the image is
 * never read whole into memory, and no web stream sits between (converting one costs a third of the throughput).
 */
async function pumpBlob(body: Body, req: ClientRequest): Promise<void> {
  let sent = 0;
  for (let at = 0; at < body.blob.size; at += PUMP_STEP) {
    if (req.destroyed) return;
    const part = new Uint8Array(await body.blob.slice(at, at + PUMP_STEP).arrayBuffer());
    sent += part.length;
    const more = req.write(part);
    body.onSent?.(sent);
    if (!more) await new Promise<void>((resolve) => {
      const go = () => { req.off('drain', go); req.off('close', go); resolve(); };
      req.on('drain', go);
      req.on('close', go);
    });
  }
  if (!req.destroyed) req.end();
}

/** A request body streamed from a Blob, with its progress and its abort. */
interface Body {
  blob: Blob;
  onSent?(bytes: number): void;
  signal?: AbortSignal;
}

export class NodeHttpTransport implements SignedTransport {
  readonly kind = 'http';
  signer: RequestSigner | undefined;
  private readonly agent: Agent;
  private readonly secure: boolean;

  /** Absent when the target asks for chunks only (`singleRequest: false`). */
  readonly sendRest?: (upload: RestUpload) => Promise<Reply>;

  constructor(private readonly target: HttpTarget) {
    this.signer = target.signer;
    if (target.singleRequest !== false) this.sendRest = (upload) => this.putRest(upload);
    this.secure = new URL(target.url).protocol === 'https:';
    this.agent = this.secure ? new HttpsAgent({ keepAlive: true, maxSockets: 16 }) : new Agent({ keepAlive: true, maxSockets: 16 });
  }

  /** Node's agent queues requests beyond maxSockets: at most `count` connections to the device (§1.3). */
  limitConnections(count: number): void {
    this.agent.maxSockets = Math.max(1, count);
    this.agent.maxTotalSockets = Math.max(1, count);
  }

  private async send(method: Method, path: string, headers: Record<string, string>, bytes?: Uint8Array | Body, json = false): Promise<Reply> {
    try {
      return await this.attempt(method, path, headers, bytes, json);
    } catch (err) {
      // A kept-alive connection the device closed as idle just as this request went out: the device never saw the
      // request, so an idempotent one goes again on a new connection (Node's documented reusedSocket pattern),
      // signed anew.
      if (!(err instanceof StaleConnection)) throw err;
      return this.attempt(method, path, headers, bytes, json);
    }
  }

  private async attempt(method: Method, path: string, headers: Record<string, string>, bytes: Uint8Array | Body | undefined, json: boolean): Promise<Reply> {
    const url = apiUrl(this.target.url, path);
    const { host, pathname, search } = new URL(url);
    const streamed = bytes instanceof Uint8Array ? undefined : bytes;
    const signed = await requestHeaders(this.target.clientId, this.signer, method, pathname + search, headers, json && !streamed ? (bytes as Uint8Array) : undefined);
    return new Promise<Reply>((resolve, reject) => {
      const fail = (what: string, err: unknown) => reject(new LinkError(`${what.replace('%s', host)} (${describe(err)}).`, { cause: err }));
      const req = (this.secure ? httpsRequest : httpRequest)(
        url,
        {
          method,
          agent: this.agent,
          timeout: this.target.timeoutMs ?? 30_000,
          headers: { ...signed, 'Content-Length': String(streamed ? streamed.blob.size : ((bytes as Uint8Array | undefined)?.length ?? 0)) },
          ...(streamed?.signal ? { signal: streamed.signal } : {}),
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () => resolve(replyOf(res.statusCode ?? 0, Buffer.concat(parts).toString('utf8'), res.headers['retry-after'])));
          res.on('error', (err) => fail('The connection to %s broke while reading its reply', err));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer in time')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (req.reusedSocket && err.code === 'ECONNRESET' && IDEMPOTENT.has(method)) reject(new StaleConnection());
        else fail('The device at %s did not answer', err);
      });
      if (!streamed) return req.end(bytes);
      pumpBlob(streamed, req).catch((err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))));
    });
  }

  /**
   * The rest of the image in one signed PUT without Content-Digest (§4.6): its MAC covers the method and the target
   * with its offset; the whole image's SHA-256 at commit guards the bytes.
   */
  private putRest({ sha256, offset, body, onSent, signal }: RestUpload): Promise<Reply> {
    const streamed: Body = { blob: body, ...(onSent ? { onSent } : {}), ...(signal ? { signal } : {}) };
    return this.send('PUT', `/updates/${sha256}?offset=${offset}`, { 'Content-Type': 'application/octet-stream' }, streamed);
  }

  request(method: Method, path: string, body?: unknown): Promise<Reply> {
    return body === undefined ? this.send(method, path, {}) : this.send(method, path, { 'Content-Type': 'application/json' }, jsonBytes(body), true);
  }

  sendChunk(chunk: ChunkUpload): Promise<Reply> {
    return this.send('PUT', `/updates/${chunk.sha256}?offset=${chunk.offset}`, { 'Content-Type': 'application/octet-stream', 'Content-Digest': chunk.digest }, chunk.bytes);
  }

  close(): void {
    this.agent.destroy();
  }
}
