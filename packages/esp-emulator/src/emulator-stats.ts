// What crossed the line and what the flash did since the chip was built: for tests and benchmarks.
import type { NorFlash } from './flash.ts';
import type { SerialLine } from './serial-line.ts';

export interface EmulatorStats {
  bytesToChip: number;
  bytesFromChip: number;
  resets: number;
  flashSectorsErased: number;
  flashBytesProgrammed: number;
  /** Emulated time the flash spent erasing and programming (0 while flash time is off). */
  flashBusyMs: number;
}

export function emulatorStats(line: SerialLine, flash: NorFlash, resets: number): EmulatorStats {
  return {
    ...line.counters,
    resets,
    flashSectorsErased: flash.counters.sectorsErased,
    flashBytesProgrammed: flash.counters.bytesProgrammed,
    flashBusyMs: flash.busy.busyMs,
  };
}
