// `npm run emulator` as a separate process: serves socket://, saves the flash to --flash-file on exit and
// loads it again at the next start, like a board that stays flashed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { pseudoRandomBytes, writeAppImage, writeBootloaderImage, writePartitionTable } from '@fieldflash/bundle';
import { ImprovPacketReader } from '@fieldflash/esp-emulator';
import { checksum, concat, EspClient, words } from './emulator-client.ts';

const CLI = fileURLToPath(new URL('../../packages/esp-emulator/src/node/cli.ts', import.meta.url));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startCli(...args: string[]): Promise<{ child: ChildProcess; host: string; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--tcp', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /socket:\/\/([\d.]+):(\d+)/.exec(out);
      if (match) resolve({ child, host: match[1]!, port: Number(match[2]) });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('emulator command line', () => {
  it('boots the flashed app into the fault --boot-fault asks for', async () => {
    const fixture = new URL('../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
    const image = new Uint8Array(16 * 1024 * 1024).fill(0xff);
    image.set(readFileSync(new URL('bootloader.bin', fixture)), 0x1000);
    image.set(readFileSync(new URL('partition-table.bin', fixture)), 0x8000);
    image.set(readFileSync(new URL('Application.bin', fixture)), 0x10000);
    const file = join(mkdtempSync(join(tmpdir(), 'fieldflash-emulator-')), 'board.bin');
    writeFileSync(file, image);
    const cli = await startCli('--chip', 'esp32', '--flash-size', '16MB', '--flash-file', file, '--boot', 'app', '--boot-fault', 'brownout');
    const client = await EspClient.open(cli.host, cli.port);
    const deadline = Date.now() + 10_000;
    while (!client.text().includes('rst:0xf (BROWNOUT_RST)') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(client.text()).toMatch(/Project name: {5}Application[^]*Brownout detector was triggered[^]*rst:0xf \(BROWNOUT_RST\)/);
    client.close();
    await stop(cli.child);
  }, 60_000);

  it('keeps the flash in --flash-file across runs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fieldflash-emulator-')), 'board.bin');
    const data = new Uint8Array(0x3000).map((_, i) => i * 3);
    const first = await startCli('--chip', 'esp32', '--flash-size', '2MB', '--flash-file', file);
    const client = await EspClient.open(first.host, first.port);
    await new Promise((r) => setTimeout(r, 100));
    client.flushInput();
    const SYNC = concat(Uint8Array.of(0x07, 0x07, 0x12, 0x20), new Uint8Array(32).fill(0x55));
    await client.check(0x08, SYNC);
    // ROM-mode FLASH_BEGIN erases the region; 0x400-byte blocks as esptool sends the ROM.
    await client.check(0x02, words(data.length, data.length / 0x400, 0x400, 0x1000, 0));
    for (let seq = 0; seq < data.length / 0x400; seq++) {
      const block = data.subarray(seq * 0x400, (seq + 1) * 0x400);
      await client.check(0x03, concat(words(block.length, seq, 0, 0), block), checksum(block));
    }
    client.close();
    await stop(first.child);
    expect(statSync(file).size).toBe(2 * 1024 * 1024);
    expect(new Uint8Array(readFileSync(file)).subarray(0x1000, 0x4000)).toEqual(data);

    const second = await startCli('--chip', 'esp32', '--flash-size', '2MB', '--flash-file', file);
    const again = await EspClient.open(second.host, second.port);
    await new Promise((r) => setTimeout(r, 100));
    const md5 = await again.check(0x13, words(0x1000, data.length, 0, 0));
    expect(Buffer.from(md5.body).toString()).toBe(createHash('md5').update(data).digest('hex'));
    again.close();
    await stop(second.child);
  }, 60_000);

  it('serves the demo app with the networks and URL given by --wifi and --device-url', async () => {
    const image = new Uint8Array(1024 * 1024).fill(0xff);
    image.set(await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 1, idfVersion: 'v5.3.1', dateTime: 'Jan 15 2025 09:30:00' }), 0x1000);
    image.set(writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x80000 }]), 0x8000);
    const app = await writeAppImage({
      chipFamily: 'ESP32', projectName: 'fieldflash-demo', version: '1.0.0', secureVersion: 0, flashSizeMiB: 1,
      payload: pseudoRandomBytes(4096, 3), date: 'Jan 15 2025', time: '09:30:00', idfVersion: 'v5.3.1',
    });
    image.set(app, 0x10000);
    const file = join(mkdtempSync(join(tmpdir(), 'fieldflash-emulator-')), 'demo.bin');
    writeFileSync(file, image);
    const cli = await startCli('--chip', 'esp32', '--flash-size', '1MB', '--flash-file', file, '--boot', 'app',
      '--wifi', 'Bench:bench-pass-01:-41,Open Shop', '--device-url', 'http://10.9.8.7/');
    const socket = connect(cli.port, cli.host);
    const received: number[] = [];
    socket.on('data', (chunk: Buffer) => received.push(...chunk));
    const reader = new ImprovPacketReader();
    const seen: { type: number; data: Uint8Array }[] = [];
    const until = async (count: number) => {
      for (let i = 0; i < 100 && seen.length < count; i++) {
        await new Promise((r) => setTimeout(r, 50));
        for (const o of reader.push(received.splice(0))) if (o.kind === 'packet') seen.push(o.packet);
      }
      expect(seen.length).toBeGreaterThanOrEqual(count);
    };
    /** An Improv RPC packet (type 3), written out from the spec. */
    const rpc = (command: number, data: number[]) => {
      const body = [...Buffer.from('IMPROV'), 1, 3, data.length + 2, command, data.length, ...data];
      socket.write(Uint8Array.from([...body, body.reduce((a, b) => a + b, 0) & 0xff, 0x0a]));
    };
    await new Promise((r) => setTimeout(r, 1500)); // the app boots
    rpc(0x04, []);
    await until(3);
    const names = seen.slice(0, 2).map((p) => Buffer.from(p.data.subarray(3, 3 + p.data[2]!)).toString());
    expect(names).toEqual(['Bench', 'Open Shop']);
    const ssid = [...Buffer.from('Bench')];
    const password = [...Buffer.from('bench-pass-01')];
    rpc(0x01, [ssid.length, ...ssid, password.length, ...password]);
    await until(6);
    const result = seen[5]!;
    expect(Buffer.from(result.data.subarray(3)).toString()).toBe('http://10.9.8.7/');
    socket.destroy();
    await stop(cli.child);
  }, 60_000);

  it('says what is wrong with its arguments', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--chip', 'esp8266', '--tcp', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--chip: "esp8266" is not one of esp32, esp32s3, esp32c3');
  }, 30_000);
});
