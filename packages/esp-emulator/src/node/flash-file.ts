// Keeps the emulated flash in a file between runs, like a board that stays flashed.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { EspEmulator } from '../emulator.ts';

/** Loads `path` into flash from offset 0; a missing file leaves the flash erased. */
export function loadFlashFile(chip: EspEmulator, path: string): boolean {
  if (!existsSync(path)) return false;
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes.length > chip.flashSize) {
    throw new Error(
      `${path} holds ${bytes.length} bytes but the emulated flash is ${chip.flashSize}; start with --flash-size ${bytes.length / 1048576}MB or use another file`,
    );
  }
  chip.loadFlash(0, bytes);
  return true;
}

/** Writes the whole flash image, atomically (a crash mid-save keeps the previous file). */
export function saveFlashFile(chip: EspEmulator, path: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, chip.readFlash(0, chip.flashSize));
  renameSync(temporary, path);
}
