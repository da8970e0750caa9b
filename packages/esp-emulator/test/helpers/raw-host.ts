// A host that speaks bytes to the chip directly (no Web Serial, no esptool), so tests can check frames
// byte for byte. SLIP is re-implemented here on purpose: the chip's own codec is what is under test.
import type { EspEmulator, HostConnection } from '../../src/index.ts';

export function frame(payload: ArrayLike<number>): Uint8Array {
  const out = [0xc0];
  for (const b of Array.from(payload)) {
    if (b === 0xc0) out.push(0xdb, 0xdc);
    else if (b === 0xdb) out.push(0xdb, 0xdd);
    else out.push(b);
  }
  out.push(0xc0);
  return Uint8Array.from(out);
}

export function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

export function request(op: number, data: ArrayLike<number> = [], checksum = 0): Uint8Array {
  const d = Array.from(data);
  return Uint8Array.from([0x00, op, d.length & 0xff, d.length >> 8, ...le32(checksum), ...d]);
}

export function checksumOf(payload: ArrayLike<number>): number {
  let c = 0xef;
  for (const b of Array.from(payload)) c ^= b;
  return c;
}

export const SYNC_DATA = [0x07, 0x07, 0x12, 0x20, ...new Array<number>(32).fill(0x55)];

export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export class RawHost {
  readonly bytes: number[] = [];
  private readonly connection: HostConnection;
  private waiters: Array<() => void> = [];
  lost = false;

  constructor(
    readonly chip: EspEmulator,
    public baud: number | undefined = 115200,
  ) {
    this.connection = chip.attach({
      baud: () => this.baud,
      receive: (bytes) => {
        this.bytes.push(...bytes);
        for (const w of this.waiters.splice(0)) w();
      },
      lost: () => {
        this.lost = true;
      },
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.connection.write(bytes);
  }

  send(op: number, data: ArrayLike<number> = [], checksum = 0): Promise<void> {
    return this.write(frame(request(op, data, checksum)));
  }

  signals(dtr: boolean, rts: boolean): void {
    this.connection.setSignals(dtr, rts);
  }

  detach(): void {
    this.connection.detach();
  }

  clear(): void {
    this.bytes.length = 0;
  }

  text(): string {
    return new TextDecoder('latin1').decode(Uint8Array.from(this.bytes));
  }

  /** Waits until `predicate` holds over the received bytes. */
  async until(predicate: (bytes: number[]) => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.bytes)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received so far: ${hex(this.bytes.slice(0, 200))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Complete SLIP frames received so far (decoded), bytes outside frames skipped. */
  frames(): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let current: number[] | undefined;
    let escaping = false;
    for (const b of this.bytes) {
      if (b === 0xc0) {
        if (current && current.length > 0) frames.push(Uint8Array.from(current));
        current = current && current.length > 0 ? undefined : [];
        continue;
      }
      if (!current) continue;
      if (escaping) {
        current.push(b === 0xdc ? 0xc0 : b === 0xdd ? 0xdb : -1);
        escaping = false;
      } else if (b === 0xdb) escaping = true;
      else current.push(b);
    }
    return frames;
  }

  async waitFrames(count: number, timeoutMs = 2000): Promise<Uint8Array[]> {
    await this.until(() => this.frames().length >= count, timeoutMs);
    return this.frames();
  }

  /** Sends a request and returns the next `count` frames it caused. */
  async exchange(op: number, data: ArrayLike<number> = [], checksum = 0, count = 1): Promise<Uint8Array[]> {
    const before = this.frames().length;
    await this.send(op, data, checksum);
    await this.waitFrames(before + count);
    return this.frames().slice(before, before + count);
  }
}
