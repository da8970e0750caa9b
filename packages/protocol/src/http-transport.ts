// The HTTP transport: fetch, so the same code runs in the page and in Node.

import { type TargetAddressSpace, targetAddressSpace } from './address-space.ts';
import { API_BASE, type Method, PROTOCOL_VERSION } from './api.ts';
import { type ChunkUpload, LinkError, type Reply, type Transport } from './transport.ts';

export interface HttpTarget {
  /** The device's base URL, e.g. `http://192.168.1.40:8070` (anything after the origin is ignored). */
  url: string;
  clientId: string;
  /** The session token once authenticated. */
  token?: string;
  /** Per-request time limit; a device that does not answer in time counts as a dropped link. */
  timeoutMs?: number;
  /** Extra fetch options; `targetAddressSpace` for Chrome's Local Network Access is set from the URL unless given here. */
  fetchInit?: Record<string, unknown>;
  fetch?: typeof fetch;
}

export function apiUrl(url: string, path: string): string {
  return new URL(API_BASE + path, new URL(url).origin).href;
}

/** A transport that carries the session token in its requests: what authentication and signaling need. */
export interface TokenTransport extends Transport {
  token: string | undefined;
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

/** The headers every HTTP request carries. */
export function requestHeaders(clientId: string, token: string | undefined, extra: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'FieldFlash-Protocol': String(PROTOCOL_VERSION), 'FieldFlash-Client': clientId, ...extra };
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
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

export class HttpTransport implements TokenTransport {
  readonly kind = 'http';
  token: string | undefined;

  /** Declared on every request so a public page may reach a device on the LAN (ignored where unsupported). */
  private readonly addressSpace: { targetAddressSpace?: TargetAddressSpace };
  private readonly slots = new RequestSlots();

  constructor(private readonly target: HttpTarget) {
    this.token = target.token;
    const space = targetAddressSpace(target.url);
    this.addressSpace = space ? { targetAddressSpace: space } : {};
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return requestHeaders(this.target.clientId, this.token, extra);
  }

  limitConnections(count: number): void {
    this.slots.limit = Math.max(1, count);
  }

  private send(method: Method, path: string, headers: Record<string, string>, body?: BodyInit): Promise<Reply> {
    return this.slots.run(() => this.fetchReply(method, path, headers, body));
  }

  private async fetchReply(method: Method, path: string, headers: Record<string, string>, body?: BodyInit): Promise<Reply> {
    const doFetch = this.target.fetch ?? globalThis.fetch;
    const url = apiUrl(this.target.url, path);
    let response: Response;
    try {
      response = await doFetch(url, {
        ...this.addressSpace,
        ...this.target.fetchInit,
        method,
        headers: this.headers(headers),
        body,
        signal: AbortSignal.timeout(this.target.timeoutMs ?? 30_000),
      });
    } catch (err) {
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

  request(method: Method, path: string, body?: unknown): Promise<Reply> {
    return body === undefined ? this.send(method, path, {}) : this.send(method, path, { 'Content-Type': 'application/json' }, JSON.stringify(body));
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

