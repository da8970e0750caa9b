// Choosing a USB serial port: Web Serial where Chrome has it, the WebUSB polyfill where it does not (Chrome on Android).
import { serialPortFilters } from './usb-bridges.ts';

export type SerialAccess = 'web-serial' | 'webusb-polyfill' | 'none';

/** How this browser can reach a USB serial port at all. */
export function serialAccess(): SerialAccess {
  if (typeof navigator === 'undefined') return 'none';
  if ('serial' in navigator && navigator.serial) return 'web-serial';
  if ('usb' in navigator && (navigator as { usb?: unknown }).usb) return 'webusb-polyfill';
  return 'none';
}

/**
 * What the WebUSB polyfill cannot do, in a technician's words. Shown beside the Connect button whenever it is in use,
 * so nobody spends an afternoon on a board it can never reach.
 */
export const POLYFILL_LIMITS: readonly string[] = [
  'This browser has no Web Serial; FieldFlash reaches the board through WebUSB instead.',
  'Only USB CDC-ACM serial devices work this way: ESP32-S2/S3 boards on their native USB port, CH9102/CH343 bridges and other CDC-ACM adapters.',
  'Boards with a CP210x, CH340, FTDI or Prolific bridge are not listed: those chips need vendor drivers the polyfill does not have. Use a laptop with desktop Chrome for them.',
  'The built-in USB-Serial/JTAG port of ESP32-C3, C6 and S3 may not reset into download mode through the polyfill: hold BOOT, tap RESET, release BOOT, then connect.',
  'The device must not already be claimed by the system; a phone may also be unable to power the board — use a powered hub if it keeps disconnecting.',
];

export const NO_SERIAL_ACCESS =
  'This browser cannot reach USB serial ports. Use Chrome or Edge on a laptop (or Chrome on Android), or try the simulated ESP32.';

/**
 * Opens the browser's port chooser filtered to the usual ESP32 USB bridges.
 * Rejects with a DOMException named NotFoundError when the person closes the chooser without picking a port.
 */
export async function chooseUsbSerialPort(): Promise<SerialPort> {
  const filters = serialPortFilters();
  const access = serialAccess();
  if (access === 'web-serial') return navigator.serial.requestPort({ filters });
  if (access === 'webusb-polyfill') {
    // Loaded only on browsers that need it.
    const { serial } = await import('web-serial-polyfill');
    const port = await serial.requestPort({ filters });
    return port as unknown as SerialPort;
  }
  throw new DOMException(NO_SERIAL_ACCESS, 'NotSupportedError');
}
