// A baud change over the emulator's raw TCP shell (socket://), as esptool.py --baud 921600 makes one: the chip
// answers CHANGE_BAUDRATE at the old rate, and the host keeps talking at the new one. A TCP link has no line rate
// of its own, so nothing on it may be garbled by the change.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpEmulator, type TcpEmulator } from '@fieldflash/esp-emulator/node';
import { checksum, concat, EspClient, words } from './emulator-client.ts';

const SYNC = concat(Uint8Array.of(0x07, 0x07, 0x12, 0x20), new Uint8Array(32).fill(0x55));
const CHANGE_BAUDRATE = 0x0f;
const READ_REG = 0x0a;
/** The ESP32's chip-detect magic register and its value. */
const MAGIC_REG = 0x40001000;
const ESP32_MAGIC = 0x00f01d83;
const STUB_ENTRY = 0x400a8000;

let server: TcpEmulator | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function openSynced(wireTime: boolean): Promise<EspClient> {
  server = await startTcpEmulator({ chip: 'esp32', host: '127.0.0.1', port: 0, wireTime });
  const client = await EspClient.open(server.host, server.port);
  await new Promise((r) => setTimeout(r, 50));
  client.flushInput();
  await client.check(0x08, SYNC);
  for (let i = 0; i < 7; i++) await client.readFrame();
  return client;
}

/** Uploads code to RAM and jumps into it: the emulator takes any started upload for the flasher stub. */
async function startStub(client: EspClient): Promise<void> {
  const code = new Uint8Array(0x1800).map((_, i) => i * 13);
  await client.check(0x05, words(code.length, 1, 0x1800, STUB_ENTRY));
  await client.check(0x07, concat(words(code.length, 0, 0, 0), code), checksum(code));
  await client.check(0x06, words(0, STUB_ENTRY));
  expect(Buffer.from(await client.readFrame()).toString()).toBe('OHAI');
}

describe('baud change over raw TCP', () => {
  for (const wireTime of [false, true]) {
    it(`the ROM answers CHANGE_BAUDRATE cleanly and keeps answering at 921600 (wire time ${wireTime ? 'on' : 'off'})`, async () => {
      const client = await openSynced(wireTime);
      const reply = await client.command(CHANGE_BAUDRATE, words(921600, 0));
      expect(Array.from(reply.status)).toEqual([0, 0, 0, 0]);
      expect(server!.chip.uartBaud).toBe(921600);
      // Nothing garbled arrives between the frames either: no stray bytes outside SLIP frames.
      expect(client.text()).toBe('');
      expect((await client.check(READ_REG, words(MAGIC_REG))).value).toBe(ESP32_MAGIC);
      client.close();
    });
  }

  it('the stub changes to 921600, then reads a register, writes a deflated region and checks its MD5', async () => {
    const client = await openSynced(true);
    await startStub(client);
    const reply = await client.command(CHANGE_BAUDRATE, words(921600, 115200), 0, 2);
    expect(Array.from(reply.status)).toEqual([0, 0]);
    expect(server!.chip.uartBaud).toBe(921600);
    expect((await client.check(READ_REG, words(MAGIC_REG), 0, 2)).value).toBe(ESP32_MAGIC);

    const image = new Uint8Array(48_000).map((_, i) => (i * 2654435761) >>> 24);
    await client.writeDeflated(0x30000, image);
    const md5 = await client.check(0x13, words(0x30000, image.length, 0, 0), 0, 2);
    expect(Buffer.from(md5.body).toString('hex')).toBe(createHash('md5').update(image).digest('hex'));
    expect(server!.chip.readFlash(0x30000, image.length)).toEqual(image);

    // And back down again: the link follows every change.
    const down = await client.command(CHANGE_BAUDRATE, words(115200, 921600), 0, 2);
    expect(Array.from(down.status)).toEqual([0, 0]);
    expect((await client.check(READ_REG, words(MAGIC_REG), 0, 2)).value).toBe(ESP32_MAGIC);
    expect(client.text()).toBe('');
    client.close();
  });
});
