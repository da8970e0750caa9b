// Checks made against the connected board before a single byte is written.
import { inspectEspImage, isEspImage } from '@fieldflash/bundle';
import type { DeviceIdentity } from './device-identity.ts';
import { formatFlashSize } from './device-identity.ts';
import { FlashProblem, hexOffset } from './flash-problems.ts';

interface PartLike {
  name: string;
  offset: number;
  data: Uint8Array;
}

/** Refuses a part that ends beyond the detected flash: "image larger than the flash". */
export function checkPartsFit(parts: readonly PartLike[], identity: DeviceIdentity): void {
  const flashSize = identity.flashSize;
  if (flashSize === undefined) return;
  for (const part of parts) {
    const end = part.offset + part.data.length;
    if (end > flashSize) {
      throw new FlashProblem(
        'image-too-large',
        `The image is larger than the flash: ${part.name} at ${hexOffset(part.offset)} ends at ${hexOffset(end)}, but this board has ${formatFlashSize(flashSize)} of flash (up to ${hexOffset(flashSize)}).`,
        `Choose a release built for ${formatFlashSize(flashSize)} of flash, or use a board with more flash. Nothing was written.`,
      );
    }
  }
}

/** Refuses ESP images built for another chip family, whatever the release's manifest claimed. */
export function checkPartsForChip(parts: readonly PartLike[], identity: DeviceIdentity): void {
  for (const part of parts) {
    if (!isEspImage(part.data)) continue;
    let family;
    try {
      family = inspectEspImage(part.data).chipFamily;
    } catch {
      continue; // Not an image after all (a data partition that happens to start with 0xE9).
    }
    if (family && identity.chipFamily && family !== identity.chipFamily) {
      throw new FlashProblem(
        'wrong-chip',
        `Wrong chip: ${part.name} is built for ${family}, but the connected chip is an ${identity.chipFamily}.`,
        `Choose a release built for ${identity.chipFamily}, or connect the board this release is for. Nothing was written.`,
      );
    }
  }
}
