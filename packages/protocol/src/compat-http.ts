// HTTP for compatibility uploads (ESPHome, ElegantOTA): one request at a time, a multipart body counted as it
// leaves, Basic credentials; the single-request upload of the LAN protocol (docs/protocol.md §4.6) goes the same
// way. Three senders, one per place FieldFlash runs: XMLHttpRequest in a page (its upload
// events are the only way a page learns how many bytes left; fetch says nothing until the reply), fetch where
// there is no XMLHttpRequest or where only fetch may go (an https page reaching an http device needs fetch's
// `targetAddressSpace`), and node:http for the push command (node/compat-node-send.ts).

import { targetAddressSpace } from './address-space.ts';
import { LinkError } from './transport.ts';

export interface CompatRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: Blob;
  /** Bytes of the body sent so far, as they leave. */
  onSent?(bytes: number): void;
  /** The device must answer, or keep taking bytes, within this long. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface CompatReply {
  status: number;
  text: string;
  /** Seconds, from a Retry-After header the sender could read. */
  retryAfter?: number;
}

/** Sends one request; rejects with LinkError when nothing (readable) answers. */
export type CompatSend = (request: CompatRequest) => Promise<CompatReply>;

const DEFAULT_IDLE_MS = 60_000;

export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * A multipart/form-data body with one file part, as a browser's form sends it. The Blob only refers to the image,
 * so no copy of it is made; its size is the Content-Length, which small devices' servers need.
 */
export function multipartBody(image: Blob, field: string, filename: string): { body: Blob; contentType: string; headLength: number } {
  const random = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const boundary = `----FieldFlash${[...random].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename.replace(/["\r\n]/g, '_')}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const headBytes = new TextEncoder().encode(head);
  return { body: new Blob([headBytes, image, tail]), contentType: `multipart/form-data; boundary=${boundary}`, headLength: headBytes.length };
}

function retryAfterOf(header: string | null | undefined): number | undefined {
  const seconds = Number(header ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function noAnswer(url: string, detail: string): LinkError {
  return new LinkError(`No answer from ${new URL(url).host} that FieldFlash may read (${detail}).`);
}

/**
 * fetch: the body goes as the Blob, and `onSent` hears of it only when the reply arrives. The time limit covers
 * the whole request, so it grows with the body (at least 16 KiB/s).
 */
export function fetchSend(fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): CompatSend {
  return async (request) => {
    const idle = request.idleTimeoutMs ?? DEFAULT_IDLE_MS;
    const limit = Math.round(idle + ((request.body?.size ?? 0) / (16 * 1024)) * 1000);
    const signals = [AbortSignal.timeout(limit), ...(request.signal ? [request.signal] : [])];
    const space = targetAddressSpace(request.url);
    let reply: Response;
    try {
      reply = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body ? { body: request.body } : {}),
        cache: 'no-store',
        credentials: 'omit',
        signal: AbortSignal.any(signals),
        ...(space ? { targetAddressSpace: space } : {}),
      } as RequestInit);
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw noAnswer(request.url, error instanceof Error ? error.message : String(error));
    }
    const text = await reply.text().catch(() => '');
    if (request.body) request.onSent?.(request.body.size);
    const retryAfter = retryAfterOf(reply.headers.get('retry-after'));
    return { status: reply.status, text, ...(retryAfter !== undefined ? { retryAfter } : {}) };
  };
}

/** XMLHttpRequest, where the page has it: progress by the bytes the browser has sent; idle means no progress. */
export function xhrSend(): CompatSend {
  return (request) =>
    new Promise<CompatReply>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const idle = request.idleTimeoutMs ?? DEFAULT_IDLE_MS;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const fail = (error: unknown) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          xhr.abort();
          fail(noAnswer(request.url, `nothing moved for ${Math.round(idle / 1000)} s`));
        }, idle);
      };
      const onAbort = () => {
        xhr.abort();
        fail(request.signal!.reason);
      };
      xhr.open(request.method, request.url);
      for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener('progress', (event) => {
        arm();
        request.onSent?.(event.loaded);
      });
      xhr.addEventListener('progress', arm);
      xhr.addEventListener('load', () => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        if (request.body) request.onSent?.(request.body.size);
        const retryAfter = retryAfterOf(xhr.getResponseHeader('retry-after'));
        resolve({ status: xhr.status, text: xhr.responseText, ...(retryAfter !== undefined ? { retryAfter } : {}) });
      });
      // A refused connection and a reply without CORS headers look the same here: the caller tells them apart.
      xhr.addEventListener('error', () => fail(noAnswer(request.url, 'the connection failed, or the reply carried no CORS headers for this page')));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      arm();
      xhr.send(request.body ?? null);
    });
}
