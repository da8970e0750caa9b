// The single-request upload (docs/protocol.md §4.6): the rest of the image from the device's offset in one signed
// PUT without Content-Digest, which the device streams to storage as it arrives. One request instead of one per
// chunk: in a browser each request costs milliseconds of its own CPU, and no chunk is ever read into script. The
// whole image's SHA-256 at commit guards the bytes; after a break the device's durable offset says where to go on.

import { DeviceRefusal } from './error-codes.ts';
import type { ImageSource } from './image-source.ts';
import { expectOk } from './replies.ts';
import type { PumpResult } from './sender.ts';
import type { Transport } from './transport.ts';
import { parseChunkAck, parseUpdateSession, type UpdateSession } from './update-messages.ts';

/** How often the device is asked where it is while the request runs. */
const ASK_EVERY_MS = 1_000;

export interface RestOptions {
  transport: Transport;
  image: ImageSource;
  session: UpdateSession;
  signal?: AbortSignal;
  /** Called as the body goes out, with the bytes of it sent so far. */
  onSent?(sentBytes: number): void;
  /**
   * Called with the device's offset while the request runs: the bytes it has, which only the device can say (what
   * the client has sent may still sit in buffers on the way). A device that serves one request at a time answers
   * once the upload is over.
   */
  onDevice?(offset: number): void;
}

/** Whether the rest can go in one request: over a link that has it (HTTP), from an image it can send as a body. */
export function canSendRest(transport: Transport, image: ImageSource): boolean {
  return transport.sendRest !== undefined && image.rest !== undefined;
}

/** Sends the rest of the image in one request; like pumpChunks, a failure is returned with the offset, not thrown. */
export async function sendRest({ transport, image, session, signal, onSent, onDevice }: RestOptions): Promise<PumpResult> {
  const from = session.offset;
  const stopAsking = onDevice ? askWhereTheDeviceIs(transport, session.sha256, onDevice) : () => {};
  try {
    const reply = await transport.sendRest!({
      sha256: session.sha256,
      offset: from,
      body: image.rest!(from),
      ...(onSent ? { onSent } : {}),
      ...(signal ? { signal } : {}),
    });
    const { offset } = expectOk(reply, parseChunkAck, 'the rest of the image in one request');
    if (offset >= session.size) return { offset };
    const message = `The device acknowledged up to ${offset} of ${session.size} bytes.`;
    return { offset, failure: new DeviceRefusal(409, { code: 'offset-mismatch', message, offset }) };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    return { offset: from, failure: err instanceof Error ? err : new Error(String(err)) };
  } finally {
    stopAsking();
  }
}

/**
 * Asks for the session (GET) every second, one question at a time, until stopped; answers after that are dropped.
 * A question that fails says nothing: the upload's own reply decides how it went.
 */
function askWhereTheDeviceIs(transport: Transport, sha256: string, onDevice: (offset: number) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout>;
  const ask = async () => {
    try {
      const reply = await transport.request('GET', `/updates/${sha256}`);
      if (!stopped && reply.status === 200) onDevice(parseUpdateSession(reply.body).offset);
    } catch {
      // Unanswered or unreadable: the next question, or the upload's reply, tells.
    }
    if (!stopped) timer = setTimeout(ask, ASK_EVERY_MS);
  };
  timer = setTimeout(ask, ASK_EVERY_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Statuses a device that does not take a body this large or without Content-Digest may answer (§4.6). */
const NOT_TAKEN = new Set([400, 405, 411, 413, 501]);

/**
 * Whether the device refused the single request as such, as one that does not take them does (413 for a body over
 * its chunk size, 400 for a missing Content-Digest): it gets chunks instead. Refusals about the session (an offset
 * that moved, a lapsed login, busy) are not about the request's form, and take their usual course.
 */
export function refusesSingleRequest(err: Error): boolean {
  return err instanceof DeviceRefusal && (err.code === 'bad-request' || err.code === 'too-large' || (err.code === 'bad-reply' && NOT_TAKEN.has(err.status)));
}
