// Other tools' figures that FieldFlash's benchmarks are set against but do not run themselves, each with its source.

/** How esptool's figures were taken: against the same emulated chip, so they compare with the flash benchmark's. */
export const ESPTOOL_SOURCE =
  'esptool v5.3.1 `write-flash` of the same Application.bin at 0x10000, to `npm run emulator -- --chip esp32 --tcp … --wire-time` ' +
  '(the same emulated ESP32 and stub, wire and flash time on), on the same 2-core machine; not re-run by `npm run bench`';

/** esptool v5.3.1 writing the flash benchmark's 2,049,184-byte app, seconds per baud. */
export const ESPTOOL_WRITE_FLASH = [
  { baud: 921600, seconds: 12.8 },
  { baud: 2000000, seconds: 8.7 },
] as const;
