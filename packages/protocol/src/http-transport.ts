// The HTTP transport: fetch, so the same code runs in the page and in Node; in the page, the rest of an image goes
// in one request with XMLHttpRequest, whose upload events are a page's only count of the bytes that left.

import { type TargetAddressSpace, targetAddressSpace } from './address-space.ts';
import { API_BASE, type Method, PROTOCOL_VERSION } from './api.ts';
import { RequestBlocked, whyBlocked } from './blocked-request.ts';
import { fetchSend, xhrSend } from './compat-http.ts';
import { contentDigest } from './crypto.ts';
import type { RequestSigner } from './request-auth.ts';
import { type ChunkUpload, LinkError, type Reply, type RestUpload, type Transport } from './transport.ts';

export interface HttpTarget {
  /** The device's base URL, e.g. `http://192.168.1.40:8070` (anything after the origin is ignored). */
  url: string;
  clientId: string;
  /** Signs each request once authenticated (docs/protocol.md §3.3). */
  signer?: RequestSigner;
  /** Per-request time limit; a device that does not answer in time counts as a dropped link. */
  timeoutMs?: number;
  /**
   * Whether the rest of an image may go in one request (docs/protocol.md §4.6). By default only where the upload
   * reports its progress (XMLHttpRequest, in the page): with fetch, a progress bar would stand still until the end.
   */
  singleRequest?: boolean;
  /** Extra fetch options; `targetAddressSpace` for Chrome's Local Network Access is set from the URL unless given here. */
  fetchInit?: Record<string, unknown>;
  fetch?: typeof fetch;
}

export function apiUrl(url: string, path: string): string {
  return new URL(API_BASE + path, new URL(url).origin).href;
}

/** A transport that signs its requests with a login's session key: what authentication and signaling need. */
export interface SignedTransport extends Transport {
  signer: RequestSigner | undefined;
  /** Keeps at most `count` requests in flight, so at most that many connections: the device's maxConnections (§1.3). */
  limitConnections?(count: number): void;
}

/** Lets at most `limit` requests run at once; the others wait their turn in order. */
export class RequestSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(public limit = Number.POSITIVE_INFINITY) {}

  async run<T>(request: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await request();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

const utf8 = new TextEncoder();
/** Where XMLHttpRequest reports an upload's progress: in a page. */
const hasUploadProgress = () => typeof XMLHttpRequest !== 'undefined';

/**
 * The headers of one HTTP request: protocol version, client id, and once authenticated a Content-Digest of a JSON
 * body and the request's MAC over method, target (path and query, as sent) and that digest.
 */
export async function requestHeaders(
  clientId: string,
  signer: RequestSigner | undefined,
  method: Method,
  target: string,
  extra: Record<string, string>,
  jsonBody?: Uint8Array,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'FieldFlash-Protocol': String(PROTOCOL_VERSION), 'FieldFlash-Client': clientId, ...extra };
  if (!signer) return headers;
  if (jsonBody) headers['Content-Digest'] = await contentDigest(jsonBody);
  headers.Authorization = await signer.authorization(method, target, headers['Content-Digest'] ?? '');
  return headers;
}

/** A JSON body as the bytes that travel. */
export function jsonBytes(body: unknown): Uint8Array<ArrayBuffer> {
  return utf8.encode(JSON.stringify(body));
}

/** A reply from an HTTP status, body text and Retry-After header. */
export function replyOf(status: number, text: string, retryAfterHeader: string | null | undefined): Reply {
  let body: unknown;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { error: { code: 'bad-reply', message: `The device answered ${status} with something that is not JSON: ${text.slice(0, 80)}` } };
    }
  }
  const reply: Reply = { status, body };
  const retryAfter = Number(retryAfterHeader);
  if (retryAfterHeader != null && retryAfterHeader !== '' && Number.isFinite(retryAfter)) reply.retryAfter = retryAfter;
  return reply;
}

export class HttpTransport implements SignedTransport {
  readonly kind = 'http';
  signer: RequestSigner | undefined;
  readonly sendRest: ((upload: RestUpload) => Promise<Reply>) | undefined;

  /** Declared on every request so a public page may reach a device on the LAN (ignored where unsupported). */
  private readonly addressSpace: { targetAddressSpace?: TargetAddressSpace };
  private readonly slots = new RequestSlots();

  constructor(private readonly target: HttpTarget) {
    this.signer = target.signer;
    const space = targetAddressSpace(target.url);
    this.addressSpace = space ? { targetAddressSpace: space } : {};
    this.sendRest = (target.singleRequest ?? hasUploadProgress()) ? (upload) => this.slots.run(() => this.putRest(upload)) : undefined;
  }

  limitConnections(count: number): void {
    this.slots.limit = Math.max(1, count);
  }

  private send(method: Method, path: string, headers: Record<string, string>, body?: Uint8Array<ArrayBuffer>, json = false): Promise<Reply> {
    return this.slots.run(() => this.fetchReply(method, path, headers, body, json));
  }

  private async fetchReply(method: Method, path: string, headers: Record<string, string>, body?: Uint8Array<ArrayBuffer>, json = false): Promise<Reply> {
    const doFetch = this.target.fetch ?? globalThis.fetch;
    const url = apiUrl(this.target.url, path);
    const target = new URL(url);
    let response: Response;
    try {
      response = await doFetch(url, {
        ...this.addressSpace,
        ...this.target.fetchInit,
        method,
        headers: await requestHeaders(this.target.clientId, this.signer, method, target.pathname + target.search, headers, json ? body : undefined),
        body,
        signal: AbortSignal.timeout(this.target.timeoutMs ?? 30_000),
      });
    } catch (err) {
      // A request the browser refused to send is no dropped link: retrying cannot help, and the person must act.
      const declared = (this.target.fetchInit?.targetAddressSpace as TargetAddressSpace | undefined) ?? this.addressSpace.targetAddressSpace;
      const blocked = await whyBlocked(url, declared, err);
      if (blocked) throw new RequestBlocked(blocked, url, declared, { cause: err });
      throw new LinkError(`The device at ${new URL(url).host} did not answer (${describe(err)}).`, { cause: err });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new LinkError(`The connection to ${new URL(url).host} broke while reading its reply (${describe(err)}).`, { cause: err });
    }
    return replyOf(response.status, text, response.headers.get('Retry-After'));
  }

  /**
   * The rest of the image in one signed PUT without Content-Digest (§4.6): its MAC covers the method and the target
   * with its offset; the whole image's SHA-256 at commit guards the bytes. The body is the Blob itself, read by the
   * browser, never by script. Sent as compatibility uploads are: XMLHttpRequest, for its upload progress, in a page;
   * fetch elsewhere. A request the page may not make fails as a dropped link here, and the chunks sent next over
   * fetch say why.
   */
  private async putRest({ sha256, offset, body, onSent, signal }: RestUpload): Promise<Reply> {
    const url = apiUrl(this.target.url, `/updates/${sha256}?offset=${offset}`);
    const { pathname, search } = new URL(url);
    const headers = await requestHeaders(this.target.clientId, this.signer, 'PUT', pathname + search, { 'Content-Type': 'application/octet-stream' });
    const send = hasUploadProgress() ? xhrSend() : fetchSend(this.target.fetch);
    const idleTimeoutMs = this.target.timeoutMs ?? 30_000;
    const reply = await send({ method: 'PUT', url, headers, body, idleTimeoutMs, ...(onSent ? { onSent } : {}), ...(signal ? { signal } : {}) });
    return replyOf(reply.status, reply.text, reply.retryAfter === undefined ? null : String(reply.retryAfter));
  }

  request(method: Method, path: string, body?: unknown): Promise<Reply> {
    return body === undefined ? this.send(method, path, {}) : this.send(method, path, { 'Content-Type': 'application/json' }, jsonBytes(body), true);
  }

  sendChunk(chunk: ChunkUpload): Promise<Reply> {
    return this.send(
      'PUT',
      `/updates/${chunk.sha256}?offset=${chunk.offset}`,
      { 'Content-Type': 'application/octet-stream', 'Content-Digest': chunk.digest },
      chunk.bytes as Uint8Array<ArrayBuffer>,
    );
  }

  close(): void {}
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message && !err.message.includes(cause.message)) return `${err.message}: ${cause.message}`;
    return err.message || err.name;
  }
  return String(err);
}

