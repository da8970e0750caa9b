// The "flash mode" option: the ROM reads the SPI mode from the bootloader's header, so that is the one byte to change.
import { inspectEspImage, isEspImage } from '@fieldflash/bundle';

export type FlashModeChoice = 'keep' | 'dio';

const MODE_CODES = { qio: 0, qout: 1, dio: 2, dout: 3 } as const;

/**
 * Returns the part to write at the bootloader offset with its header set to `mode`.
 * When the image carries an appended SHA-256 the digest is recomputed, or the bootloader would fail its own check.
 * Anything that is not an ESP image, or already in that mode, comes back unchanged.
 */
export async function withFlashMode(data: Uint8Array, mode: FlashModeChoice): Promise<Uint8Array> {
  if (mode === 'keep' || !isEspImage(data) || data[2] === MODE_CODES[mode]) return data;
  let info;
  try {
    info = inspectEspImage(data);
  } catch {
    return data;
  }
  const changed = new Uint8Array(data);
  changed[2] = MODE_CODES[mode];
  if (info.hashAppended) {
    const hashAt = info.imageLength - 32;
    const digest = await crypto.subtle.digest('SHA-256', changed.slice(0, hashAt));
    changed.set(new Uint8Array(digest), hashAt);
  }
  return changed;
}
