// The USB serial bridges ESP32 boards carry, so the port chooser lists boards and hides mice and phones.

export interface UsbBridge {
  usbVendorId: number;
  /** What a technician reads on the chip next to the USB socket. */
  name: string;
}

export const USB_BRIDGES: readonly UsbBridge[] = [
  { usbVendorId: 0x303a, name: 'Espressif native USB' },
  { usbVendorId: 0x10c4, name: 'Silicon Labs CP210x' },
  { usbVendorId: 0x1a86, name: 'WCH CH340 / CH9102' },
  { usbVendorId: 0x0403, name: 'FTDI' },
  { usbVendorId: 0x067b, name: 'Prolific PL2303' },
  { usbVendorId: 0x2341, name: 'Arduino' },
  { usbVendorId: 0x239a, name: 'Adafruit' },
];

/** Filters for navigator.serial.requestPort (and the WebUSB polyfill, which takes the same shape). */
export function serialPortFilters(): SerialPortFilter[] {
  return USB_BRIDGES.map(({ usbVendorId }) => ({ usbVendorId }));
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** "Silicon Labs CP210x (10c4:ea60)", or "USB serial port" when the port does not say. */
export function describeUsbPort(info: { usbVendorId?: number | undefined; usbProductId?: number | undefined }): string {
  const { usbVendorId, usbProductId } = info;
  if (usbVendorId === undefined) return 'USB serial port';
  const bridge = USB_BRIDGES.find((b) => b.usbVendorId === usbVendorId);
  const ids = `${hex4(usbVendorId)}:${usbProductId === undefined ? '????' : hex4(usbProductId)}`;
  return bridge ? `${bridge.name} (${ids})` : `USB serial port ${ids}`;
}
