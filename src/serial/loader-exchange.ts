// Commands to the flasher stub for the hot path of a write: frames built ahead of time, answers awaited without
// polling.
//
// esptool-js's command() builds the frame only when it is due (three copies of a 16 KiB block, SLIP escaping into
// a plain array) and its reader looks for the answer every millisecond, which browsers stretch to 4 ms once timers
// nest. Each block pays both while the wire sits idle: the stub keeps only one block waiting beside the one it
// writes (two receive buffers: esptool's flasher_stub/stub_flasher.c, esp-flasher-stub's src/frame_buffer.c), so
// the next block may go out only after the answer to the last. Here the next frame is ready before that answer
// arrives, and the answer is picked up the moment the transport's reader stores it.
import type { ESPLoader, Transport } from 'esptool-js';

export const FLASH_DEFL_BEGIN = 0x10;
export const FLASH_DEFL_DATA = 0x11;
export const SPI_FLASH_MD5 = 0x13;

/** The stub's answer carries a 2-byte status after its data (the ROM's is 4 bytes; FieldFlash writes only through the stub). */
const STATUS_BYTES = 2;

/** A command framed for the wire (SLIP), waiting to be sent. */
export interface PreparedCommand {
  op: number;
  frame: Uint8Array;
  /** For error messages, in esptool-js's words. */
  description: string;
}

/** Request: 00, op, u16 data length, u32 checksum, data; then SLIP-framed (C0 … C0, C0 and DB escaped). */
export function frameCommand(op: number, data: Uint8Array, checksum = 0): Uint8Array {
  const packet = new Uint8Array(8 + data.length);
  const view = new DataView(packet.buffer);
  packet[1] = op;
  view.setUint16(2, data.length, true);
  view.setUint32(4, checksum >>> 0, true);
  packet.set(data, 8);
  let escapes = 0;
  for (const b of packet) if (b === 0xc0 || b === 0xdb) escapes++;
  const frame = new Uint8Array(packet.length + escapes + 2);
  let at = 0;
  frame[at++] = 0xc0;
  for (const b of packet) {
    if (b === 0xc0) {
      frame[at++] = 0xdb;
      frame[at++] = 0xdc;
    } else if (b === 0xdb) {
      frame[at++] = 0xdb;
      frame[at++] = 0xdd;
    } else {
      frame[at++] = b;
    }
  }
  frame[at] = 0xc0;
  return frame;
}

/** Little-endian 32-bit words, as every loader command's arguments are. */
export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
  return out;
}

/** FLASH_DEFL_DATA: <length, sequence, 0, 0> and the block, checksummed as the stub checks it (0xEF ^ every byte). */
export function dataCommand(seq: number, block: Uint8Array): PreparedCommand {
  const data = new Uint8Array(16 + block.length);
  data.set(words(block.length, seq, 0, 0));
  data.set(block, 16);
  let checksum = 0xef;
  for (const b of block) checksum ^= b;
  return { op: FLASH_DEFL_DATA, frame: frameCommand(FLASH_DEFL_DATA, data, checksum), description: `write compressed data to flash after seq ${seq}` };
}

/** A turn of the event loop without the 4 ms clamp of nested timers: lets a frame reach the port before more work. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** True once `bytes` hold a whole frame: an opening C0, something, a closing C0. */
function holdsFrame(bytes: Uint8Array): boolean {
  const start = bytes.indexOf(0xc0);
  if (start < 0) return false;
  let end = start + 1;
  while (end < bytes.length && bytes[end] === 0xc0) end++; // back-to-back delimiters open the frame
  return bytes.indexOf(0xc0, end) > 0;
}

/** The reader's buffer, which esptool-js keeps private; watched so an answer is noticed when it arrives. */
interface BufferedTransport {
  buffer: Uint8Array;
}

const watchers = new WeakMap<Transport, Set<() => void>>();

function arrivals(transport: Transport): Set<() => void> {
  const known = watchers.get(transport);
  if (known) return known;
  const listeners = new Set<() => void>();
  const target = transport as unknown as BufferedTransport;
  let bytes = target.buffer;
  if (!(bytes instanceof Uint8Array)) throw new Error('esptool-js Transport without a read buffer: FieldFlash needs esptool-js 0.7');
  Object.defineProperty(target, 'buffer', {
    configurable: true,
    enumerable: true,
    get: () => bytes,
    set: (next: Uint8Array) => {
      bytes = next;
      if (next.length > 0) for (const listener of [...listeners]) listener();
    },
  });
  watchers.set(transport, listeners);
  return listeners;
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export class LoaderExchange {
  private readonly listeners: Set<() => void>;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly loader: ESPLoader) {
    this.listeners = arrivals(loader.transport);
  }

  get blockSize(): number {
    return this.loader.FLASH_WRITE_SIZE;
  }

  /** esptool's timeouts: `secondsPerMb` for `bytes`, never below its default of 3 s (in ms). */
  timeoutFor(secondsPerMb: 'erase-write' | 'md5', bytes: number): number {
    const perMb = secondsPerMb === 'md5' ? this.loader.MD5_TIMEOUT_PER_MB : this.loader.ERASE_WRITE_TIMEOUT_PER_MB;
    return Math.max(this.loader.DEFAULT_TIMEOUT, this.loader.timeoutPerMb(perMb, bytes));
  }

  get defaultTimeout(): number {
    return this.loader.DEFAULT_TIMEOUT;
  }

  /** Sends a command and returns the data of its answer (without the status), failing as esptool-js's checkCommand does. */
  async run(command: PreparedCommand, timeoutMs: number, responseDataLength = 0): Promise<Uint8Array> {
    this.loader.transport.flushInput(); // stale bytes must not pass for this command's answer
    const answer = this.frameArrived(timeoutMs);
    try {
      await this.send(command.frame);
      await answer.arrived;
    } finally {
      answer.cancel();
    }
    return this.readAnswer(command, timeoutMs, responseDataLength);
  }

  /**
   * Runs commands two at a time: the next goes out when the answer to the one before the last comes back. Only for
   * commands answered once done (MD5, not data blocks, which are answered on arrival): by the time such an answer
   * leaves, the stub has let go of that command's receive buffer, so the one after next always finds a free one.
   */
  async runTwoAtATime(commands: readonly PreparedCommand[], timeoutMs: number, responseDataLength = 0): Promise<Uint8Array[]> {
    this.loader.transport.flushInput();
    const answers: Uint8Array[] = [];
    const sends: Promise<void>[] = [];
    const sendNext = () => {
      const sent = this.send(commands[sends.length]!.frame);
      sent.catch(() => undefined); // a failed send also shows as a missing answer
      sends.push(sent);
    };
    for (let i = 0; i < Math.min(2, commands.length); i++) sendNext();
    for (const command of commands) {
      const answer = this.frameArrived(timeoutMs);
      try {
        await answer.arrived;
      } finally {
        answer.cancel();
      }
      answers.push(await this.readAnswer(command, timeoutMs, responseDataLength));
      if (sends.length < commands.length) sendNext();
    }
    await Promise.all(sends);
    return answers;
  }

  /** Frames go out one after another, each once the one before has been handed to the port. */
  private send(frame: Uint8Array): Promise<void> {
    const sent = this.sending.then(async () => {
      const writer = this.loader.transport.device.writable?.getWriter();
      if (!writer) throw new Error('The device has been lost.');
      try {
        await writer.write(frame);
      } finally {
        writer.releaseLock();
      }
    });
    this.sending = sent.catch(() => undefined);
    return sent;
  }

  private async readAnswer(command: PreparedCommand, timeoutMs: number, responseDataLength: number): Promise<Uint8Array> {
    const [, data] = await this.loader.readPacket(command.op, timeoutMs);
    if (data.length < responseDataLength + STATUS_BYTES) throw new Error(`Failed to ${command.description}. Only got ${data.length} bytes of data.`);
    const status = data.subarray(responseDataLength, responseDataLength + STATUS_BYTES);
    if (status[0] !== 0) throw new Error(`Failed to ${command.description} failed with status ${status[0]},${status[1]}`);
    return data.subarray(0, responseDataLength);
  }

  /** Settles once the reader holds a whole frame, or rejects after `timeoutMs` without one; `cancel` stops waiting. */
  private frameArrived(timeoutMs: number): { arrived: Promise<void>; cancel: () => void } {
    const target = this.loader.transport as unknown as BufferedTransport;
    let cancel = () => {};
    const arrived = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!holdsFrame(target.buffer)) return;
        cancel();
        resolve();
      };
      const timer = setTimeout(() => {
        cancel();
        reject(new TimeoutError(`Timed out waiting for the board's answer (${(timeoutMs / 1000).toFixed(1)} s)`));
      }, timeoutMs);
      cancel = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
    arrived.catch(() => undefined);
    return { arrived, cancel };
  }
}
