// Improv Serial packets ("IMPROV", version, type, length, data, checksum) are binary and share the UART with
// the app's console. The console leaves them out, so a Wi-Fi setup does not print garbage between log lines.

const HEADER = [0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56]; // "IMPROV"
const VERSION = 1;

export class ImprovFrameFilter {
  /** Bytes that may be the start of a packet, held until it is clear whether they are. */
  private held: number[] = [];
  private dropNewline = false;

  /** Returns the bytes that are not part of a packet (held-back bytes come out with a later call). */
  push(bytes: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const byte of bytes) {
      if (this.dropNewline) {
        this.dropNewline = false;
        if (byte === 0x0a) continue;
      }
      this.held.push(byte);
      const n = this.held.length;
      if (n <= HEADER.length) {
        if (byte !== HEADER[n - 1]) this.release(out);
        continue;
      }
      if (n === 7 && byte !== VERSION) {
        this.release(out);
        continue;
      }
      if (n >= 9 && n === 10 + this.held[8]!) {
        this.held = [];
        this.dropNewline = true;
      }
    }
    return Uint8Array.from(out);
  }

  /** What was held was console text after all; the last byte may still start a packet. */
  private release(out: number[]): void {
    const held = this.held;
    this.held = [];
    const last = held.pop()!;
    out.push(...held);
    if (last === HEADER[0]) this.held = [last];
    else out.push(last);
  }
}
