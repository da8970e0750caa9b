// The pipelined transfer of one image (docs/protocol.md §4.3): up to `window` chunks in flight, each acknowledged
// with the device's contiguous offset. Any trouble stops the pump after the chunks in flight settle; the caller then
// asks the device where to continue. The client never trusts its own count over the device's.
// Chunks are read into a few buffers, one per chunk in flight, each reused once the device has answered its chunk:
// the page holds about the window, however large the image (transports copy the bytes when they send them).

import { contentDigest } from './crypto.ts';
import { DeviceRefusal } from './error-codes.ts';
import type { ImageSource } from './image-source.ts';
import { parseChunkAck, type UpdateSession } from './update-messages.ts';
import { expectOk } from './replies.ts';
import type { Throttle } from './throttle.ts';
import type { Transport } from './transport.ts';

export interface PumpResult {
  /** The highest contiguous offset the device acknowledged. */
  offset: number;
  /** Why the pump stopped before the end, if it did: a LinkError or a DeviceRefusal. */
  failure?: Error;
}

export interface PumpOptions {
  transport: Transport;
  image: ImageSource;
  session: UpdateSession;
  throttle?: Throttle;
  signal?: AbortSignal;
  /** Chunks in flight at most: the session's window, or fewer where the device allows fewer connections (§1.3). */
  maxInFlight?: number;
  /** Called after every acknowledgement with the device's offset and the bytes put on the wire in this pump. */
  onAck?(offset: number, sentBytes: number): void;
}

export async function pumpChunks({ transport, image, session, throttle, signal, onAck, maxInFlight }: PumpOptions): Promise<PumpResult> {
  const { size, chunkSize, window } = session;
  // A chunk may start anywhere below the acknowledged offset + window × chunkSize (§4.3); fewer may be in flight.
  const span = chunkSize * window;
  const parallel = Math.max(1, Math.min(window, maxInFlight ?? window));
  let acked = session.offset;
  let next = acked;
  let sent = 0;
  let failure: Error | undefined;
  const inFlight = new Set<Promise<void>>();
  const spare: ArrayBuffer[] = [];

  const sendOne = async (offset: number, length: number) => {
    if (!image.readInto) return sendBytes(offset, length, await image.read(offset, length));
    // A buffer whose read failed may have been transferred away: it is left behind, and a new one made next time.
    const bytes = await image.readInto(offset, length, spare.pop() ?? new ArrayBuffer(chunkSize));
    try {
      await sendBytes(offset, length, bytes);
    } finally {
      spare.push(bytes.buffer);
    }
  };

  const sendBytes = async (offset: number, length: number, bytes: Uint8Array) => {
    const reply = await transport.sendChunk({ sha256: session.sha256, offset, bytes, digest: await contentDigest(bytes) });
    sent += length;
    let deviceOffset: number;
    try {
      deviceOffset = expectOk(reply, parseChunkAck, `the chunk at ${offset}`).offset;
    } catch (err) {
      // A chunk the device already holds (a late duplicate after a resume) is refused as below its window:
      // that tells where the device is, and is no reason to stop.
      const held = err instanceof DeviceRefusal && err.code === 'offset-mismatch' && (err.details.offset ?? 0) >= offset + length;
      if (!held) throw err;
      deviceOffset = (err as DeviceRefusal).details.offset!;
    }
    if (deviceOffset > acked) acked = deviceOffset;
    onAck?.(acked, sent);
  };

  while (acked < size && failure === undefined) {
    while (inFlight.size < parallel && next < size && next < acked + span && failure === undefined) {
      if (signal?.aborted) throw signal.reason;
      const length = Math.min(chunkSize, size - next);
      if (throttle) await throttle.take(length, signal);
      const task: Promise<void> = sendOne(next, length)
        .catch((err: unknown) => {
          failure ??= err instanceof Error ? err : new Error(String(err));
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      next += length;
    }
    if (inFlight.size === 0) {
      // Everything sent is settled yet the device's offset lags: a chunk was lost or refused; resynchronise.
      if (acked < size && failure === undefined) {
        failure = new DeviceRefusal(409, { code: 'offset-mismatch', message: `The device acknowledged up to ${acked} of ${size} bytes.`, offset: acked });
      }
      break;
    }
    await Promise.race(inFlight);
  }
  await Promise.allSettled(inFlight);
  return failure === undefined ? { offset: acked } : { offset: acked, failure };
}
