// SLIP framing (RFC 1055) as the ESP serial bootloader uses it: every packet is C0 … C0,
// with C0 escaped as DB DC and DB as DB DD inside.

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

export function slipEncode(payload: Uint8Array): Uint8Array {
  let escapes = 0;
  for (const b of payload) if (b === SLIP_END || b === SLIP_ESC) escapes++;
  const out = new Uint8Array(payload.length + escapes + 2);
  let o = 0;
  out[o++] = SLIP_END;
  for (const b of payload) {
    if (b === SLIP_END) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_END;
    } else if (b === SLIP_ESC) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_ESC;
    } else {
      out[o++] = b;
    }
  }
  out[o] = SLIP_END;
  return out;
}

/**
 * Streaming decoder for the chip's side of the line. Bytes outside frames are dropped, as the ROM does;
 * an invalid escape ends the frame as damaged (reported so the loader can ignore it).
 */
export class SlipDecoder {
  private buffer = new Uint8Array(256);
  private length = 0;
  private inFrame = false;
  private escaping = false;
  private damaged = false;

  constructor(private readonly onFrame: (frame: Uint8Array, damaged: boolean) => void) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.pushByte(b);
  }

  reset(): void {
    this.length = 0;
    this.inFrame = false;
    this.escaping = false;
    this.damaged = false;
  }

  private pushByte(b: number): void {
    if (b === SLIP_END) {
      // Back-to-back C0 C0 is an empty frame boundary, not a packet.
      if (this.inFrame && this.length > 0) {
        const frame = this.buffer.slice(0, this.length);
        const damaged = this.damaged || this.escaping;
        // The closing C0 does not open the next frame: noise between frames is ignored, not framed.
        this.reset();
        this.onFrame(frame, damaged);
        return;
      }
      this.reset();
      this.inFrame = true;
      return;
    }
    if (!this.inFrame) return;
    if (this.escaping) {
      this.escaping = false;
      if (b === SLIP_ESC_END) this.append(SLIP_END);
      else if (b === SLIP_ESC_ESC) this.append(SLIP_ESC);
      else {
        this.damaged = true;
        this.append(b);
      }
      return;
    }
    if (b === SLIP_ESC) {
      this.escaping = true;
      return;
    }
    this.append(b);
  }

  private append(b: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = b;
  }
}
