// What a UART receiver decodes when the sender runs at another baud rate: the bit stream is re-sampled
// bit by bit (start bit, 8 data bits LSB first, stop bit), so a 2 % mismatch still reads fine and a
// factor of eight turns into a few wrong bytes, as on a real line.

/**
 * `bytes` are sent back to back at `txBaud` starting from an idle line; returns what a receiver at
 * `rxBaud` reads. A byte whose stop bit is missing reads as 0x00, as a Linux tty reports framing errors.
 */
export function resampleUart(bytes: Uint8Array, txBaud: number, rxBaud: number): Uint8Array {
  if (bytes.length === 0 || txBaud === rxBaud) return bytes;
  const totalBits = bytes.length * 10;
  // Line level at time t (in transmitter bit periods): idle high before the first and after the last byte.
  const level = (t: number): number => {
    if (t < 0 || t >= totalBits) return 1;
    const bit = Math.floor(t);
    const index = Math.floor(bit / 10);
    const position = bit % 10;
    if (position === 0) return 0;
    if (position === 9) return 1;
    return (bytes[index]! >> (position - 1)) & 1;
  };
  const rxBit = txBaud / rxBaud; // one receiver bit, measured in transmitter bit periods
  const out: number[] = [];
  let t = 0;
  while (t < totalBits) {
    // Falling edges only happen on transmitter bit boundaries: find the next start bit.
    let edge = Math.ceil(t);
    while (edge < totalBits && !(level(edge) === 0 && level(edge - 1) === 1)) edge++;
    if (edge >= totalBits) break;
    if (level(edge + rxBit / 2) !== 0) {
      t = edge + 1; // a glitch, not a start bit
      continue;
    }
    let value = 0;
    for (let i = 0; i < 8; i++) value |= level(edge + rxBit * (1.5 + i)) << i;
    const stop = level(edge + rxBit * 9.5);
    out.push(stop === 1 ? value : 0x00);
    t = edge + rxBit * 9.5;
  }
  return Uint8Array.from(out);
}
