// The stub's READ_FLASH: after the OK answer it sends data frames of at most `blockSize` bytes, never more
// than `maxInFlight` bytes ahead of what the host has acknowledged (esptool's 64 and esptool-js's 1024 both
// mean one block at a time). The host acknowledges each frame with a bare 4-byte frame: total bytes received.
// After the last acknowledgement comes a bare 16-byte frame: the raw MD5 of everything sent.
import type { NorFlash } from './flash.ts';
import { md5Raw } from './loader-commands.ts';

export class ReadFlashSession {
  private sent = 0;
  private acked = 0;
  private done = false;

  constructor(
    private readonly flash: NorFlash,
    private readonly offset: number,
    private readonly length: number,
    private readonly blockSize: number,
    private readonly maxInFlight: number,
    private readonly sendFrame: (payload: Uint8Array) => void,
  ) {}

  get finished(): boolean {
    return this.done;
  }

  start(): void {
    this.pump();
  }

  /** Returns false when the frame is not an acknowledgement (the read is then abandoned). */
  acknowledge(frame: Uint8Array): boolean {
    if (frame.length !== 4) return false;
    const total = (frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24)) >>> 0;
    if (total > this.sent || total < this.acked) return false;
    this.acked = total;
    this.pump();
    return true;
  }

  private pump(): void {
    while (this.sent < this.length && this.sent - this.acked < Math.max(1, this.maxInFlight)) {
      const n = Math.min(this.blockSize, this.length - this.sent);
      this.sendFrame(this.flash.read(this.offset + this.sent, n));
      this.sent += n;
    }
    if (this.acked === this.length && !this.done) {
      this.done = true;
      this.sendFrame(md5Raw(this.flash.view(this.offset, this.length)));
    }
  }
}
