// Requests fetch cannot make: exactly the headers given (no Content-Type added), `Expect: 100-continue` with the
// body held back until the device answers, and several connections held open at once.
import { Agent, request as httpRequest } from 'node:http';
import { type Reply, replyOf } from './probe.ts';

export interface RawRequest {
  method: string;
  /** The path with its query. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Send `Expect: 100-continue` and hold the body back until the device says 100 Continue or answers. */
  expectContinue?: boolean;
  /** How long the device has to say 100 Continue (or answer) before the check fails. */
  continueTimeoutMs?: number;
  agent?: Agent;
}

export interface RawReply extends Reply {
  /** Whether the device sent 100 Continue before its answer. */
  continued: boolean;
}

export function rawRequest(base: string, options: RawRequest): Promise<RawReply> {
  const url = new URL(options.path, base);
  const body = options.body ?? new Uint8Array();
  const headers: Record<string, string> = { 'Content-Length': String(body.length), ...options.headers };
  if (options.expectContinue) headers.Expect = '100-continue';
  return new Promise((resolve, reject) => {
    let continued = false;
    let sent = false;
    let timer: NodeJS.Timeout | undefined;
    const req = httpRequest(url, { method: options.method, headers, agent: options.agent ?? false }, (res) => {
      clearTimeout(timer);
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ ...replyOf(res, parts), continued }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const sendBody = (): void => {
      if (sent) return;
      sent = true;
      req.end(body);
    };
    if (options.expectContinue) {
      req.on('continue', () => {
        continued = true;
        clearTimeout(timer);
        sendBody();
      });
      // The headers go out now; the body waits for the device.
      req.flushHeaders();
      timer = setTimeout(() => {
        req.destroy(new Error(`no 100 Continue and no answer within ${options.continueTimeoutMs ?? 5000} ms of Expect: 100-continue`));
      }, options.continueTimeoutMs ?? 5000);
    } else {
      sendBody();
    }
  });
}
