// What a caller can ask of an emulated board, checked once, with the defaults of a plain dev board filled in.
import type { SimulatedWifi } from './app/simulated-wifi.ts';
import type { BootFault } from './boot/boot-faults.ts';
import type { FaultPlan } from './faults.ts';
import { DEFAULT_FLASH_SIZE } from './flash.ts';
import { CHIPS, isChipName, type ChipIdentity, type ChipName } from './registers/chips.ts';

export type UsbConnection = 'uart-bridge' | 'usb-serial-jtag';

export interface EspEmulatorOptions {
  chip: ChipName;
  /** Bytes; a power of two (default 4 MiB). */
  flashSize?: number;
  /** Pace bytes at the baud rate (default true). Turn off for fast unit tests. */
  wireTime?: boolean;
  /** Erases and writes take the flash chip's datasheet time (default: as `wireTime`). Turn off for fast tests. */
  flashTime?: boolean;
  /** Base MAC as "24:0a:c4:12:34:56". */
  mac?: string;
  faults?: FaultPlan;
  /** How the flashed app fails once it has started, every time it boots (default: it runs). */
  bootFault?: BootFault;
  /** A USB-UART bridge with the two-transistor auto-reset (default), or the S3/C3's own USB-Serial/JTAG. */
  usb?: UsbConnection;
  /** What happens at power-up with no host holding the lines: boot the app (default) or wait for download (BOOT held). */
  powerOnBoot?: 'app' | 'download';
  /** The networks around the board and the URL its app reports; which apps speak Improv Serial. */
  wifi?: Partial<SimulatedWifi>;
  /** Where the page serves MicroPython's micropython.wasm (a Vite `?url` import); Node needs none. */
  micropythonWasmUrl?: string;
}

/** The board as built: chip, flash size, MAC, USB side and strapping. The flash size is checked by the flash itself. */
export interface BoardSettings {
  chip: ChipIdentity;
  flashSize: number;
  mac: string;
  usb: UsbConnection;
  wireTime: boolean;
  flashTime: boolean;
  bootFault: BootFault | undefined;
  /** BOOT held at power-up: the chip waits for a download instead of booting the app. */
  bootButtonHeld: boolean;
}

export function boardSettings(options: EspEmulatorOptions): BoardSettings {
  if (!isChipName(options.chip)) throw new TypeError(`unknown chip "${String(options.chip)}": use esp32, esp32s3 or esp32c3`);
  const chip = CHIPS[options.chip];
  const usb = options.usb ?? 'uart-bridge';
  if (usb === 'usb-serial-jtag' && chip.name === 'esp32') throw new TypeError('the ESP32 has no USB-Serial/JTAG; use usb: "uart-bridge"');
  const wireTime = options.wireTime ?? true;
  return {
    chip,
    flashSize: options.flashSize ?? DEFAULT_FLASH_SIZE,
    mac: options.mac ?? chip.defaultMac,
    usb,
    wireTime,
    flashTime: options.flashTime ?? wireTime,
    bootFault: options.bootFault,
    bootButtonHeld: options.powerOnBoot === 'download',
  };
}
