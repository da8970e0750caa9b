// EmulatedSerialPort behaves like Chrome's SerialPort where callers can tell.
import { describe, expect, it } from 'vitest';
import { EmulatedSerialPort, EspEmulator } from '../src/index.ts';
import { frame, request, SYNC_DATA } from './helpers/raw-host.ts';

async function readUntil(port: EmulatedSerialPort, done: (bytes: number[]) => boolean): Promise<number[]> {
  const reader = port.readable!.getReader();
  const bytes: number[] = [];
  try {
    while (!done(bytes)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      bytes.push(...value!);
    }
  } finally {
    reader.releaseLock();
  }
  return bytes;
}

describe('EmulatedSerialPort', () => {
  it('has the SerialPort surface and a CP2102 or USB-Serial/JTAG identity', () => {
    const port: SerialPort = new EmulatedSerialPort(new EspEmulator({ chip: 'esp32', wireTime: false }));
    expect(port.getInfo()).toEqual({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
    const jtag = new EmulatedSerialPort(new EspEmulator({ chip: 'esp32c3', wireTime: false, usb: 'usb-serial-jtag' }));
    expect(jtag.getInfo()).toEqual({ usbVendorId: 0x303a, usbProductId: 0x1001 });
    expect(port.readable).toBeNull();
    expect(port.writable).toBeNull();
    expect(port.connected).toBe(true);
  });

  it('rejects a second open, a zero baud rate and signals on a closed port', async () => {
    const port = new EmulatedSerialPort(new EspEmulator({ chip: 'esp32', wireTime: false }));
    await expect(port.open({ baudRate: 0 })).rejects.toThrow(TypeError);
    await expect(port.setSignals({ requestToSend: true })).rejects.toMatchObject({ name: 'InvalidStateError' });
    await port.open({ baudRate: 115200 });
    await expect(port.open({ baudRate: 115200 })).rejects.toMatchObject({ name: 'InvalidStateError' });
    await port.close();
    await expect(port.close()).rejects.toMatchObject({ name: 'InvalidStateError' });
  });

  it('talks to the ROM loader through readable and writable', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, powerOnBoot: 'download' });
    const port = new EmulatedSerialPort(chip);
    await port.open({ baudRate: 115200 });
    const writer = port.writable!.getWriter();
    await writer.write(frame(request(0x08, SYNC_DATA)));
    writer.releaseLock();
    const bytes = await readUntil(port, (b) => b.filter((x) => x === 0xc0).length >= 16);
    expect(bytes.slice(0, 14)).toEqual([0xc0, 0x01, 0x08, 0x04, 0x00, 0x07, 0x07, 0x12, 0x20, 0, 0, 0, 0, 0xc0]);
    await port.close();
  });

  it('keeps one readable until it is cancelled, then makes a fresh one; close needs unlocked streams', async () => {
    const port = new EmulatedSerialPort(new EspEmulator({ chip: 'esp32', wireTime: false }));
    await port.open({ baudRate: 115200 });
    const first = port.readable;
    expect(port.readable).toBe(first);
    const reader = first!.getReader();
    await expect(port.close()).rejects.toThrow(/locked/);
    await reader.cancel();
    reader.releaseLock();
    const second = port.readable;
    expect(second).not.toBe(first);
    expect(second).not.toBeNull();
    await port.close();
    expect(port.readable).toBeNull();
  });

  it('reopens at another baud rate without resetting the chip (both lines drop and rise together)', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, powerOnBoot: 'download' });
    const port = new EmulatedSerialPort(chip);
    await port.open({ baudRate: 115200 });
    await port.close();
    const resets = chip.stats.resets;
    await port.open({ baudRate: 921600 });
    expect(chip.stats.resets).toBe(resets);
    expect(chip.state).toBe('rom-loader');
    await port.close();
  });
});
