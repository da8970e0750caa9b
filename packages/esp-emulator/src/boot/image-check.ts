// The checks a loader makes before running an image: magic, segment walk, XOR checksum, appended SHA-256.
import { inspectEspImage, type EspImageInfo } from '@fieldflash/bundle';

export type ImageCheck =
  | { ok: true; info: EspImageInfo }
  | { ok: false; reason: 'magic'; firstWord: number }
  | { ok: false; reason: 'structure'; message: string }
  | { ok: false; reason: 'checksum'; calculated: number; stored: number }
  | { ok: false; reason: 'hash' };

export async function checkImage(bytes: Uint8Array, options: { verifyHash: boolean }): Promise<ImageCheck> {
  if (bytes[0] !== 0xe9) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, Math.min(4, bytes.byteLength));
    return { ok: false, reason: 'magic', firstWord: bytes.length >= 4 ? view.getUint32(0, true) : 0xffffffff };
  }
  let info: EspImageInfo;
  try {
    info = inspectEspImage(bytes);
  } catch (error) {
    return { ok: false, reason: 'structure', message: error instanceof Error ? error.message : String(error) };
  }
  if (!info.checksumValid) {
    let calculated = 0xef;
    for (const s of info.segments) for (let i = s.dataOffset; i < s.dataOffset + s.length; i++) calculated ^= bytes[i]!;
    const last = info.segments[info.segments.length - 1]!;
    return { ok: false, reason: 'checksum', calculated, stored: bytes[(last.dataOffset + last.length) | 15]! };
  }
  if (options.verifyHash && info.hashAppended) {
    const body = bytes.subarray(0, info.imageLength - 32);
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>));
    const stored = bytes.subarray(info.imageLength - 32, info.imageLength);
    if (!digest.every((b, i) => b === stored[i])) return { ok: false, reason: 'hash' };
  }
  return { ok: true, info };
}

/** min/max_chip_rev_full from the extended header (IDF 5), as "v3.0". */
export function chipRevisionRange(bytes: Uint8Array): { min: string; max: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = (full: number): string => `v${Math.floor(full / 100)}.${full % 100}`;
  return { min: format(view.getUint16(15, true)), max: format(view.getUint16(17, true)) };
}

const SPEEDS: Record<number, number> = { 0x0: 40, 0x1: 26, 0x2: 20, 0xf: 80 };

/** SPI speed in MHz from the low nibble of header byte 3. */
export function flashSpeedMhz(bytes: Uint8Array): number {
  return SPEEDS[bytes[3]! & 0x0f] ?? 40;
}
