// The compatibility uploads' HTTP in Node (the push command): node:http with a Content-Length, the body streamed
// from the Blob a slice at a time and counted as each slice is handed to the socket. A device that answers before
// the body is all sent (a refusal) is heard: its reply wins over the broken write that follows.

import { type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CompatReply, CompatSend } from '../compat-http.ts';
import { LinkError } from '../transport.ts';

const SLICE = 64 * 1024;

/** Until the request can take more bytes, or is gone. */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

export function nodeSend(): CompatSend {
  return (request) =>
    new Promise<CompatReply>((resolve, reject) => {
      const url = new URL(request.url);
      const idle = request.idleTimeoutMs ?? 60_000;
      let settled = false;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        request.signal?.removeEventListener('abort', onAbort);
        action();
      };
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method: request.method, headers: { ...request.headers, 'Content-Length': String(request.body?.size ?? 0) }, timeout: idle },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () => {
            const retryAfter = Number(res.headers['retry-after'] ?? Number.NaN);
            finish(() => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8'), ...(Number.isFinite(retryAfter) ? { retryAfter } : {}) }));
          });
          res.on('error', (error) => finish(() => reject(new LinkError(`The connection to ${url.host} broke while reading its reply (${error.message}).`))));
        },
      );
      const onAbort = () => {
        req.destroy();
        finish(() => reject(request.signal!.reason));
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('timeout', () => req.destroy(new Error(`nothing moved for ${Math.round(idle / 1000)} s`)));
      req.on('error', (error) => {
        // A reply that already arrived (a refusal before the whole body went) is the answer, not this error.
        setImmediate(() => finish(() => reject(new LinkError(`No answer from ${url.host} (${error.message}).`, { cause: error }))));
      });
      void (async () => {
        const body = request.body;
        if (!body) return req.end();
        let sent = 0;
        for (let offset = 0; offset < body.size && !req.destroyed && !settled; offset += SLICE) {
          const bytes = new Uint8Array(await body.slice(offset, offset + SLICE).arrayBuffer());
          const flushed = new Promise<void>((resolve) => req.write(bytes, () => resolve()));
          sent += bytes.length;
          const count = sent;
          void flushed.then(() => request.onSent?.(count));
          if (req.writableNeedDrain) await drained(req);
        }
        if (!req.destroyed) req.end();
      })().catch((error: unknown) => req.destroy(error instanceof Error ? error : new Error(String(error))));
    });
}
