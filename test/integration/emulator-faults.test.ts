// A cable pulled in the middle of an esptool-js write, then a re-plug and a retry that finishes the job.
import { readFileSync } from 'node:fs';
import { ESPLoader, Transport, type IEspLoaderTerminal } from 'esptool-js';
import { describe, expect, it } from 'vitest';
import { EmulatedSerialPort, EspEmulator } from '@fieldflash/esp-emulator';

const FIXTURE = new URL('../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
const part = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURE)));
const terminal: IEspLoaderTerminal = { clean: () => undefined, writeLine: () => undefined, write: () => undefined };

async function flashApp(port: EmulatedSerialPort, app: Uint8Array): Promise<Transport> {
  const transport = new Transport(port);
  const loader = new ESPLoader({ transport, baudrate: 921600, terminal });
  await loader.main();
  try {
    await loader.writeFlash({ fileArray: [{ data: app, address: 0x10000 }], flashMode: 'keep', flashFreq: 'keep', flashSize: 'keep', eraseAll: false, compress: true });
  } finally {
    await transport.disconnect().catch(() => undefined);
  }
  return transport;
}

describe('pulled cable during a write', () => {
  it('loses the device mid-write, keeps the half-written flash, and a re-plugged retry succeeds', async () => {
    const app = part('Application.bin');
    const chip = new EspEmulator({ chip: 'esp32', flashSize: 16 * 1024 * 1024, wireTime: false });
    const port = new EmulatedSerialPort(chip);
    const disconnects: Event[] = [];
    port.addEventListener('disconnect', (e) => disconnects.push(e));

    // The stub upload and connect traffic is about 20 KB; the cable comes out 400 KB into the app.
    chip.setFaults({ unplug: { afterBytes: 400_000 } });
    const failure = await flashApp(port, app).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(disconnects).toHaveLength(1);
    expect(port.connected).toBe(false);
    expect(chip.state).toBe('off');
    await expect(port.open({ baudRate: 115200 })).rejects.toMatchObject({ name: 'NetworkError', message: 'Failed to open serial port.' });

    const partial = chip.readFlash(0x10000, app.length);
    const written = partial.findIndex((b, i) => b !== app[i]);
    expect(written).toBeGreaterThan(100_000);
    expect(written).toBeLessThan(app.length);

    chip.replug();
    expect(port.connected).toBe(true);
    await flashApp(port, app);
    expect(chip.readFlash(0x10000, app.length)).toEqual(app);
  }, 120_000);
});
