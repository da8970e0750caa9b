// The data-channel transport: requests as text frames, chunks as binary frames, replies matched by id.
// Works with anything shaped like RTCDataChannel: the browser's, or node-datachannel's polyfill.

import { decodeReplyFrame, encodeChunkFrame, encodeRequestFrame, MAX_FRAME_HEADER } from './frames.ts';
import { API_BASE, type Method } from './api.ts';
import { type ChunkUpload, LinkError, type Reply, type Transport } from './transport.ts';

/** The part of RTCDataChannel the transport uses. */
export interface DataChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  removeEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
}

interface Waiting {
  resolve(reply: Reply): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Above this many queued bytes, sending waits for the channel to drain. */
const HIGH_WATER = 1 << 20;

export class DataChannelTransport implements Transport {
  readonly kind = 'webrtc';
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closedReason: string | undefined;
  /** Where chunk frames are written: send() copies a message, so one buffer serves every chunk. */
  private frame = new ArrayBuffer(0);
  /** Called when the channel closes, so the owner can close the peer connection too. */
  onClose: (() => void) | undefined;

  constructor(
    private readonly channel: DataChannelLike,
    private readonly timeoutMs = 30_000,
  ) {
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = HIGH_WATER / 2;
    channel.addEventListener('message', this.onMessage);
    channel.addEventListener('close', this.onChannelClose);
    if (channel.readyState !== 'open') this.closedReason = `the data channel is ${channel.readyState}`;
  }

  private readonly onMessage = (event: { data?: unknown }) => {
    if (typeof event.data !== 'string') return;
    let frame;
    try {
      frame = decodeReplyFrame(event.data);
    } catch {
      return; // not ours to answer: a device speaking nonsense shows up as a request that times out
    }
    const waiting = this.waiting.get(frame.id);
    if (!waiting) return;
    this.waiting.delete(frame.id);
    clearTimeout(waiting.timer);
    waiting.resolve({ status: frame.status, body: frame.body });
  };

  private readonly onChannelClose = () => this.fail('the data channel closed');

  private fail(reason: string): void {
    if (this.closedReason === undefined) this.closedReason = reason;
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new LinkError(`The WebRTC link to the device broke (${reason}).`));
      this.waiting.delete(id);
    }
    this.channel.removeEventListener('message', this.onMessage);
    this.channel.removeEventListener('close', this.onChannelClose);
    this.onClose?.();
  }

  private async drain(): Promise<void> {
    if (this.channel.bufferedAmount <= HIGH_WATER) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.channel.removeEventListener('bufferedamountlow', done);
        this.channel.removeEventListener('close', done);
        resolve();
      };
      this.channel.addEventListener('bufferedamountlow', done);
      this.channel.addEventListener('close', done);
    });
  }

  private exchange(send: (id: number) => void): Promise<Reply> {
    if (this.closedReason !== undefined) return Promise.reject(new LinkError(`The WebRTC link to the device is down (${this.closedReason}).`));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new LinkError(`The device did not answer over WebRTC within ${Math.round(this.timeoutMs / 1000)} s.`));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      try {
        send(id);
      } catch (err) {
        this.waiting.delete(id);
        clearTimeout(timer);
        reject(new LinkError(`Sending over WebRTC failed (${err instanceof Error ? err.message : String(err)}).`, { cause: err }));
      }
    });
  }

  request(method: Method, path: string, body?: unknown): Promise<Reply> {
    return this.exchange((id) => this.channel.send(encodeRequestFrame(body === undefined ? { id, method, path: API_BASE + path } : { id, method, path: API_BASE + path, body })));
  }

  async sendChunk(chunk: ChunkUpload): Promise<Reply> {
    await this.drain();
    const room = 4 + MAX_FRAME_HEADER + chunk.bytes.length;
    if (this.frame.byteLength < room) this.frame = new ArrayBuffer(room);
    return this.exchange((id) =>
      this.channel.send(
        encodeChunkFrame({ id, method: 'PUT', path: `${API_BASE}/updates/${chunk.sha256}`, offset: chunk.offset, digest: chunk.digest }, chunk.bytes, this.frame),
      ),
    );
  }

  close(): void {
    this.fail('closed by the client');
    try {
      this.channel.close();
    } catch {
      // already closed
    }
  }
}
