// esptool-js 0.7.0, unmodified, flashing the real fixture release into the emulator through the Web Serial
// surface, in Node; then a reset that boots what was flashed.
import { readFileSync } from 'node:fs';
import SparkMD5 from 'spark-md5';
import { ESPLoader, Transport, type IEspLoaderTerminal } from 'esptool-js';
import { describe, expect, it } from 'vitest';
import { EmulatedSerialPort, EspEmulator } from '@fieldflash/esp-emulator';

const FIXTURE = new URL('../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
const part = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURE)));
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quietTerminal(lines: string[]): IEspLoaderTerminal {
  return { clean: () => undefined, writeLine: (s: string) => void lines.push(s), write: (s: string) => void lines.push(s) };
}

function md5Hex(image: Uint8Array): string {
  return SparkMD5.ArrayBuffer.hash(image.slice().buffer);
}

/** Reads what the chip prints after an EN pulse, with the port opened at 115200 as a serial monitor would. */
async function bootLog(port: EmulatedSerialPort, until: string): Promise<string> {
  await port.open({ baudRate: 115200 });
  const reader = port.readable!.getReader();
  await port.setSignals({ dataTerminalReady: false, requestToSend: true });
  await sleep(50);
  await port.setSignals({ requestToSend: false });
  let text = '';
  const deadline = Date.now() + 5000;
  let pending = reader.read();
  while (!text.includes(until) && Date.now() < deadline) {
    const result = await Promise.race([pending, sleep(100).then(() => undefined)]);
    if (!result) continue;
    if (result.value) text += new TextDecoder().decode(result.value);
    pending = reader.read();
  }
  await reader.cancel();
  reader.releaseLock();
  await port.close();
  return text;
}

describe('esptool-js against the emulated chip', () => {
  it('detects the ESP32, flashes the fixture release at 921600 baud and the chip boots it', async () => {
    const chip = new EspEmulator({ chip: 'esp32', flashSize: 16 * MB, wireTime: false });
    const port = new EmulatedSerialPort(chip);
    const lines: string[] = [];
    const transport = new Transport(port);
    const loader = new ESPLoader({ transport, baudrate: 921600, terminal: quietTerminal(lines) });

    expect(await loader.main()).toBe('ESP32-D0WD-V3 (revision 3)');
    expect(lines).toContain('Features: Wi-Fi, BT, Dual Core, 240MHz, VRef calibration in efuse, Coding Scheme None');
    expect(lines).toContain(`MAC: ${chip.mac}`);
    expect(lines).toContain('Stub running...');
    expect(lines).toContain('Flash ID: 1840ef');
    expect(chip.uartBaud).toBe(921600);
    expect(await loader.detectFlashSize()).toBe('16MB');

    const files = [
      { data: part('bootloader.bin'), address: 0x1000 },
      { data: part('partition-table.bin'), address: 0x8000 },
      { data: part('Application.bin'), address: 0x10000 },
    ];
    await loader.writeFlash({ fileArray: files, flashMode: 'keep', flashFreq: 'keep', flashSize: 'keep', eraseAll: false, compress: true, calculateMD5Hash: md5Hex });
    for (const f of files) expect(chip.readFlash(f.address, f.data.length)).toEqual(f.data);
    expect(lines.filter((l) => l === 'Hash of data verified.')).toHaveLength(3);

    const readBack = await loader.readFlash(0x8000, 0xc00);
    expect(readBack).toEqual(part('partition-table.bin'));

    // esptool-js 0.7.0's hard reset only releases RTS, and its DTR bookkeeping still says "asserted" after the
    // classic reset, so on a two-transistor board the chip is not reset: it stays in the stub. Real boards agree.
    await loader.after('hard_reset');
    expect(chip.state).toBe('stub');
    await transport.disconnect();

    const log = await bootLog(port, 'Calling app_main()');
    expect(log).toContain('Application');
    expect(log).toContain('v0.8-7-g333c02c-dirty');
    expect(log).toMatch(/cpu_start: Project name: {5}Application/);
    expect(chip.state).toBe('app');
  }, 90_000);

  it('detects an ESP32-S3 (security info) and an ESP32-C3, uploads their stubs and writes with MD5 check', async () => {
    for (const [name, description] of [['esp32s3', 'ESP32-S3 (QFN56) (revision v0.2)'], ['esp32c3', 'ESP32-C3 (QFN32) (revision v0.3)']] as const) {
      const chip = new EspEmulator({ chip: name, wireTime: false });
      const port = new EmulatedSerialPort(chip);
      const lines: string[] = [];
      const transport = new Transport(port);
      const loader = new ESPLoader({ transport, baudrate: 460800, terminal: quietTerminal(lines) });
      expect(await loader.main()).toBe(description);
      expect(lines).not.toContain(' Autodetection failed, trying again...');
      expect(lines).toContain('Flash ID: 1640ef');
      const blob = new Uint8Array(70_000).map((_, i) => (i * 2246822519) >>> 27);
      await loader.writeFlash({ fileArray: [{ data: blob, address: 0x20000 }], flashMode: 'keep', flashFreq: 'keep', flashSize: 'detect', eraseAll: false, compress: true, calculateMD5Hash: md5Hex });
      expect(chip.readFlash(0x20000, blob.length)).toEqual(blob);
      await transport.disconnect();
    }
  });

  it('connects to an S3 on its USB-Serial/JTAG port with the sequence esptool-js picks for it', async () => {
    const chip = new EspEmulator({ chip: 'esp32s3', wireTime: false, usb: 'usb-serial-jtag' });
    const port = new EmulatedSerialPort(chip);
    const transport = new Transport(port);
    const loader = new ESPLoader({ transport, baudrate: 921600, terminal: quietTerminal([]) });
    expect(await loader.main()).toBe('ESP32-S3 (QFN56) (revision v0.2)');
    expect(chip.state).toBe('stub');
    await transport.disconnect();
  });
});
