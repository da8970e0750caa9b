// The emulator's TCP shell driven over a real socket on 127.0.0.1 by an independent protocol client.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpEmulator, type TcpEmulator } from '@fieldflash/esp-emulator/node';
import { checksum, concat, EspClient, words } from './emulator-client.ts';

const SYNC = concat(Uint8Array.of(0x07, 0x07, 0x12, 0x20), new Uint8Array(32).fill(0x55));
let server: TcpEmulator | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function syncRom(client: EspClient): Promise<number> {
  client.flushInput();
  const first = await client.check(0x08, SYNC);
  for (let i = 0; i < 7; i++) expect((await client.readFrame()).subarray(0, 2)).toEqual(Uint8Array.of(0x01, 0x08));
  return first.value;
}

describe('emulator over TCP (socket://)', () => {
  it('syncs, identifies, takes a stub, writes deflated blocks, checks MD5 and reads the flash back', async () => {
    server = await startTcpEmulator({ chip: 'esp32', host: '127.0.0.1', port: 0 });
    expect(server.url).toMatch(/^socket:\/\/127\.0\.0\.1:\d+$/);
    const client = await EspClient.open(server.host, server.port);
    await new Promise((r) => setTimeout(r, 50));
    expect(client.text()).toContain('waiting for download');

    expect(await syncRom(client)).not.toBe(0);
    expect((await client.check(0x0a, words(0x40001000))).value).toBe(0x00f01d83);

    // Any code uploaded to RAM and started counts as "the stub" for the emulator; it says OHAI.
    const code = new Uint8Array(0x2000).map((_, i) => i * 7);
    await client.check(0x05, words(code.length, 2, 0x1800, 0x400a8000));
    for (let seq = 0; seq < 2; seq++) {
      const block = code.subarray(seq * 0x1800, (seq + 1) * 0x1800);
      await client.check(0x07, concat(words(block.length, seq, 0, 0), block), checksum(block));
    }
    await client.check(0x06, words(0, 0x400a8000));
    expect(Buffer.from(await client.readFrame()).toString()).toBe('OHAI');

    const image = new Uint8Array(100_000).map((_, i) => (i * 2654435761) >>> 24);
    await client.writeDeflated(0x20000, image);

    const md5 = await client.check(0x13, words(0x20000, image.length, 0, 0), 0, 2);
    expect(Buffer.from(md5.body).toString('hex')).toBe(createHash('md5').update(image).digest('hex'));

    await client.check(0xd2, words(0x20000, image.length, 0x1000, 64), 0, 2);
    const back: number[] = [];
    while (back.length < image.length) {
      const data = await client.readFrame();
      back.push(...data);
      client.sendFrame(words(back.length));
    }
    const digest = await client.readFrame();
    expect(Uint8Array.from(back)).toEqual(image);
    expect(Buffer.from(digest).toString('hex')).toBe(createHash('md5').update(image).digest('hex'));
    expect(server.chip.readFlash(0x20000, image.length)).toEqual(image);
    client.close();
  });

  it('serves one client at a time and keeps the chip running between connections', async () => {
    server = await startTcpEmulator({ chip: 'esp32s3', host: '127.0.0.1', port: 0 });
    const first = await EspClient.open(server.host, server.port);
    await syncRom(first);
    const second = await EspClient.open(server.host, server.port);
    await second.closed;
    first.close();
    await first.closed;
    await new Promise((r) => setTimeout(r, 20));
    const third = await EspClient.open(server.host, server.port);
    expect(await syncRom(third)).not.toBe(0);
    const security = await third.check(0x14);
    expect(new DataView(security.body.buffer, security.body.byteOffset).getUint32(12, true)).toBe(9);
    third.close();
  });

  it('boots the app for its first client with --boot app', async () => {
    server = await startTcpEmulator({ chip: 'esp32', host: '127.0.0.1', port: 0, boot: 'app' });
    const client = await EspClient.open(server.host, server.port);
    await new Promise((r) => setTimeout(r, 200));
    expect(client.text()).toContain('boot:0x13 (SPI_FAST_FLASH_BOOT)');
    expect(client.text()).toContain('invalid header: 0xffffffff');
    client.close();
  });
});
