// Faults on demand, seen through the Web Serial port as the app would see them.
import { describe, expect, it } from 'vitest';
import { EmulatedSerialPort, EspEmulator } from '../src/index.ts';
import { checksumOf, frame, le32, RawHost, request, SYNC_DATA } from './helpers/raw-host.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function romHost(options: Partial<ConstructorParameters<typeof EspEmulator>[0]> = {}) {
  const chip = new EspEmulator({ chip: 'esp32', wireTime: false, powerOnBoot: 'download', ...options });
  const host = new RawHost(chip);
  chip.powerCycle();
  await host.until(() => host.text().includes('waiting for download\r\n'));
  host.clear();
  return { chip, host };
}

describe('faults', () => {
  it('pulls the cable after N bytes: reads end with "The device has been lost.", writes reject, disconnect fires', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, powerOnBoot: 'download' });
    const port = new EmulatedSerialPort(chip);
    const events: string[] = [];
    port.addEventListener('disconnect', () => events.push('disconnect'));
    port.ondisconnect = () => events.push('ondisconnect');
    port.addEventListener('connect', () => events.push('connect'));
    await port.open({ baudRate: 115200 });
    const reader = port.readable!.getReader();
    const pendingRead = (async () => {
      for (;;) {
        const { done } = await reader.read();
        if (done) return 'done';
      }
    })();
    chip.setFaults({ unplug: { afterBytes: 30 } });
    const writer = port.writable!.getWriter();
    await expect(writer.write(frame(request(0x08, SYNC_DATA)))).rejects.toMatchObject({ name: 'NetworkError', message: 'The device has been lost.' });
    const readError = await pendingRead.catch((e: unknown) => e);
    expect(readError).toBeInstanceOf(DOMException);
    expect(readError).toMatchObject({ name: 'NetworkError', message: 'The device has been lost.' });
    expect(events).toEqual(['disconnect', 'ondisconnect']);
    expect(port.connected).toBe(false);
    expect(port.readable).toBeNull();
    expect(chip.stats.bytesToChip).toBe(30);
    reader.releaseLock();
    writer.releaseLock();
    await port.close();
    await expect(port.open({ baudRate: 115200 })).rejects.toMatchObject({ name: 'NetworkError' });

    chip.replug();
    expect(events).toContain('connect');
    await port.open({ baudRate: 115200 });
    expect(port.connected).toBe(true);
    await port.close();
  });

  it('keeps a half-written flash across the pull and re-plug', async () => {
    const { chip, host } = await romHost();
    const block = Array.from({ length: 0x400 }, () => 0x00);
    await host.exchange(0x02, [...le32(0x2000), ...le32(8), ...le32(0x400), ...le32(0x10000)]);
    await host.exchange(0x03, [...le32(0x400), ...le32(0), ...le32(0), ...le32(0), ...block], checksumOf(block));
    chip.setFaults({ unplug: { afterBytes: 200 } });
    await host.send(0x03, [...le32(0x400), ...le32(1), ...le32(0), ...le32(0), ...block], checksumOf(block));
    expect(host.lost).toBe(true);
    chip.replug();
    expect(chip.readFlash(0x10000, 0x400).every((b) => b === 0)).toBe(true);
    expect(chip.readFlash(0x10400, 0x400).every((b) => b === 0xff)).toBe(true);
  });

  it('corrupts the byte at position N, which the loader catches by checksum', async () => {
    const { host, chip } = await romHost();
    const block = Array.from({ length: 0x100 }, (_, i) => i);
    await host.exchange(0x02, [...le32(0x1000), ...le32(1), ...le32(0x100), ...le32(0x20000)]);
    chip.setFaults({ corrupt: { atByte: 40 } });
    const [reply] = await host.exchange(0x03, [...le32(block.length), ...le32(0), ...le32(0), ...le32(0), ...block], checksumOf(block));
    expect(Array.from(reply!.subarray(8))).toEqual([0x01, 0x07, 0x00, 0x00]);
  });

  it('stalls for T ms, then answers what it was sent', async () => {
    const { host, chip } = await romHost();
    chip.setFaults({ stall: { afterBytes: 0, forMs: 150 } });
    const started = Date.now();
    await host.send(0x0a, le32(0x40001000));
    await sleep(80);
    expect(host.frames()).toEqual([]);
    await host.waitFrames(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('stalls for ever until reset', async () => {
    const { host, chip } = await romHost();
    chip.setFaults({ stall: {} });
    await host.send(0x0a, le32(0x40001000));
    await sleep(100);
    expect(host.frames()).toEqual([]);
  });

  it('never syncs when told so, but still prints its banner', async () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, powerOnBoot: 'download', faults: { neverSync: true } });
    const host = new RawHost(chip);
    chip.powerCycle();
    await host.until(() => host.text().includes('waiting for download'));
    await host.send(0x08, SYNC_DATA);
    await sleep(50);
    expect(host.frames()).toEqual([]);
  });

  it('garbles everything above the maximum reliable baud rate', async () => {
    const { host, chip } = await romHost({ faults: { maxReliableBaud: 460800 } });
    const [ok] = await host.exchange(0x0a, le32(0x40001000));
    expect(ok![1]).toBe(0x0a);
    await host.exchange(0x0f, [...le32(921600), ...le32(0)]);
    host.baud = 921600;
    host.clear();
    for (let i = 0; i < 3; i++) await host.send(0x0a, le32(0x40001000));
    await sleep(50);
    expect(host.frames().filter((f) => f.length === 12 && f[1] === 0x0a && f[4] === 0x83)).toEqual([]);
    expect(chip.uartBaud).toBe(921600);
  });
});
