// The serial monitor shares its open port: a second reader (Wi-Fi setup) sees every byte while the console keeps
// printing without the binary packets, and once the share is let go nothing it writes reaches the board.
import { pseudoRandomBytes, writeAppImage, writeBootloaderImage, writePartitionTable } from '@fieldflash/bundle';
import { EmulatedSerialPort, encodeImprovPacket, EspEmulator, ImprovPacketReader } from '@fieldflash/esp-emulator';
import { describe, expect, it } from 'vitest';
import { SerialMonitor, type SharedPortView } from '../../src/serial/serial-monitor.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** REQUEST_CURRENT_STATE, as a host sends it. */
const stateRequest = encodeImprovPacket(0x03, [0x02, 0x00]);

async function demoBoard(): Promise<EspEmulator> {
  const chip = new EspEmulator({ chip: 'esp32', wireTime: true });
  chip.loadFlash(0x1000, await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4, idfVersion: 'v5.3.1', dateTime: 'Jan 15 2025 09:30:00' }));
  chip.loadFlash(0x8000, writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 }]));
  chip.loadFlash(
    0x10000,
    await writeAppImage({
      chipFamily: 'ESP32', projectName: 'fieldflash-demo', version: '1.0.0', secureVersion: 0, flashSizeMiB: 4,
      payload: pseudoRandomBytes(4096, 5), date: 'Jan 15 2025', time: '09:30:00', idfVersion: 'v5.3.1',
    }),
  );
  return chip;
}

/** Reads a share in the background, collecting the Improv packets it carries. */
function collect(view: SharedPortView) {
  const reader = view.readable.getReader();
  const parser = new ImprovPacketReader();
  const packets: { type: number; data: Uint8Array }[] = [];
  let ended = false;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const o of parser.push(value)) if (o.kind === 'packet') packets.push(o.packet);
    }
    ended = true;
  })();
  return { packets, reader, ended: () => ended };
}

async function send(view: SharedPortView, bytes: Uint8Array): Promise<void> {
  const writer = view.writable.getWriter();
  await writer.write(bytes);
  writer.releaseLock();
}

describe('SerialMonitor.share', () => {
  it('gives a second reader every byte and a way to write, while the console shows the text without packets', async () => {
    const chip = await demoBoard();
    const port = new EmulatedSerialPort(chip) as unknown as SerialPort;
    let text = '';
    const monitor = await SerialMonitor.open(port, 115200, { onText: (t) => (text += t) });
    await monitor.resetBoard();
    for (let i = 0; i < 100 && !text.includes('waiting for Wi-Fi settings'); i++) await sleep(20);
    expect(text).toContain('improv_serial: Improv Serial v1 ready');

    const first = monitor.share();
    const seen = collect(first);
    await send(first, stateRequest);
    for (let i = 0; i < 50 && seen.packets.length === 0; i++) await sleep(20);
    expect(seen.packets.map((p) => [p.type, p.data[0]])).toEqual([[0x01, 0x02]]);
    expect(text).not.toContain('IMPROV');

    // Let go of the first share: what it still writes goes nowhere; a second share hears no answer to it.
    await seen.reader.cancel();
    const second = collect(monitor.share());
    await send(first, stateRequest);
    await sleep(200);
    expect(second.packets).toEqual([]);

    // Closing the console ends the share and leaves the port closed, ready for the flasher to open.
    await monitor.close();
    await sleep(10);
    expect(second.ended()).toBe(true);
    await port.open({ baudRate: 115200 });
    await port.close();
    chip.dispose();
  });
});
