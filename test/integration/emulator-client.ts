// A small serial-bootloader client written from esp-rom-protocol.md alone (no esptool-js), used to check
// the emulator over a real TCP socket the way a pyserial-based tool would talk to it.
import { connect, type Socket } from 'node:net';
import { deflateSync } from 'node:zlib';

export interface Reply {
  op: number;
  value: number;
  body: Uint8Array;
  status: Uint8Array;
}

export class EspClient {
  private readonly frames: Uint8Array[] = [];
  private readonly raw: number[] = [];
  private current: number[] | undefined;
  private escaping = false;
  private wake: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const b of chunk) this.byte(b);
      this.wake?.();
    });
  }

  static open(host: string, port: number): Promise<EspClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new EspClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Bytes received outside frames (boot banner, logs). */
  text(): string {
    return Buffer.from(this.raw).toString('latin1');
  }

  flushInput(): void {
    this.frames.length = 0;
    this.raw.length = 0;
  }

  close(): void {
    this.socket.destroy();
  }

  get closed(): Promise<void> {
    return new Promise((resolve) => (this.socket.destroyed ? resolve() : this.socket.once('close', () => resolve())));
  }

  sendFrame(payload: Uint8Array): void {
    const out: number[] = [0xc0];
    for (const b of payload) out.push(...(b === 0xc0 ? [0xdb, 0xdc] : b === 0xdb ? [0xdb, 0xdd] : [b]));
    out.push(0xc0);
    this.socket.write(Uint8Array.from(out));
  }

  async readFrame(timeoutMs = 3000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame received in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.frames.shift()!;
  }

  /** Sends a command and returns the first reply carrying the same op; `statusLength` is 4 (ROM) or 2 (stub). */
  async command(op: number, data: Uint8Array = new Uint8Array(0), checksum = 0, statusLength = 4, timeoutMs = 3000): Promise<Reply> {
    const packet = new Uint8Array(8 + data.length);
    const view = new DataView(packet.buffer);
    packet[1] = op;
    view.setUint16(2, data.length, true);
    view.setUint32(4, checksum, true);
    packet.set(data, 8);
    this.sendFrame(packet);
    for (;;) {
      const frame = await this.readFrame(timeoutMs);
      if (frame.length < 8 || frame[0] !== 0x01) continue;
      const reply = parseReply(frame, statusLength);
      if (reply.op === op) return reply;
      if (reply.status[0] !== 0 && reply.status[1] === 0x05) throw new Error(`command 0x${op.toString(16)} is not supported`);
    }
  }

  async check(op: number, data?: Uint8Array, checksum = 0, statusLength = 4, timeoutMs = 3000): Promise<Reply> {
    const reply = await this.command(op, data, checksum, statusLength, timeoutMs);
    if (reply.status[0] !== 0) throw new Error(`command 0x${op.toString(16)} failed with status ${Array.from(reply.status).join(',')}`);
    return reply;
  }

  /** Writes `image` at `offset` through the stub's deflated commands (FLASH_DEFL_BEGIN, DATA, END), in 16 KiB blocks. */
  async writeDeflated(offset: number, image: Uint8Array): Promise<void> {
    const compressed = deflateSync(image);
    const blockSize = 0x4000;
    const blocks = Math.ceil(compressed.length / blockSize);
    await this.check(0x10, words(image.length, blocks, blockSize, offset), 0, 2);
    for (let seq = 0; seq < blocks; seq++) {
      const block = compressed.subarray(seq * blockSize, (seq + 1) * blockSize);
      await this.check(0x11, concat(words(block.length, seq, 0, 0), block), checksum(block), 2);
    }
    await this.check(0x12, words(1), 0, 2);
  }

  private byte(b: number): void {
    if (b === 0xc0) {
      if (this.current && this.current.length > 0) {
        this.frames.push(Uint8Array.from(this.current));
        this.current = undefined;
      } else {
        this.current = [];
      }
      return;
    }
    if (!this.current) {
      this.raw.push(b);
      return;
    }
    if (this.escaping) {
      this.current.push(b === 0xdc ? 0xc0 : 0xdb);
      this.escaping = false;
    } else if (b === 0xdb) {
      this.escaping = true;
    } else {
      this.current.push(b);
    }
  }
}

function parseReply(frame: Uint8Array, statusLength: number): Reply {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const rest = frame.subarray(8);
  return {
    op: frame[1]!,
    value: view.getUint32(4, true),
    body: rest.subarray(0, rest.length - statusLength),
    status: rest.subarray(rest.length - statusLength),
  };
}

export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
  return out;
}

export function checksum(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
