// The demo app's Improv Serial side, byte for byte: packet framing and checksum, the four RPC commands,
// states and errors, and which apps answer at all. The host side is written out here from the spec on purpose.
import { readFileSync } from 'node:fs';
import { pseudoRandomBytes, writeAppImage, writeBootloaderImage, writePartitionTable } from '@fieldflash/bundle';
import { describe, expect, it } from 'vitest';
import { EspEmulator, ImprovPacketReader } from '../src/index.ts';
import { hex, RawHost } from './helpers/raw-host.ts';

const ascii = (s: string) => Array.from(new TextEncoder().encode(s));

/** A host-built packet: IMPROV, version 1, type, length, data, checksum, newline. */
function hostPacket(type: number, data: number[], options: { corruptChecksum?: boolean } = {}): Uint8Array {
  const body = [...ascii('IMPROV'), 1, type, data.length, ...data];
  const sum = body.reduce((a, b) => a + b, 0) & 0xff;
  return Uint8Array.from([...body, options.corruptChecksum ? (sum + 1) & 0xff : sum, 0x0a]);
}

const rpc = (command: number, data: number[] = []) => hostPacket(0x03, [command, data.length, ...data]);
const wifiSettings = (ssid: string, password: string) => {
  const s = ascii(ssid);
  const p = ascii(password);
  return rpc(0x01, [s.length, ...s, p.length, ...p]);
};

async function demoFlash(projectName: string) {
  const app = await writeAppImage({
    chipFamily: 'ESP32', projectName, version: '1.0.0', secureVersion: 0, flashSizeMiB: 4, payload: pseudoRandomBytes(4096, 7),
    date: 'Jan 15 2025', time: '09:30:00', idfVersion: 'v5.3.1',
  });
  return {
    bootloader: await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4, idfVersion: 'v5.3.1', dateTime: 'Jan 15 2025 09:30:00' }),
    table: writePartitionTable([{ label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 }]),
    app,
  };
}

/** A board running `projectName`, its port open, the boot log already read. */
async function runningBoard(projectName = 'fieldflash-demo', wifi?: ConstructorParameters<typeof EspEmulator>[0]['wifi']) {
  const chip = new EspEmulator({ chip: 'esp32', wireTime: false, mac: '24:0a:c4:12:34:56', ...(wifi ? { wifi } : {}) });
  const parts = await demoFlash(projectName);
  chip.loadFlash(0x1000, parts.bootloader);
  chip.loadFlash(0x8000, parts.table);
  chip.loadFlash(0x10000, parts.app);
  const host = new RawHost(chip);
  host.signals(true, true);
  host.signals(false, true); // EN low, IO0 released: boot the app
  await new Promise((r) => setTimeout(r, 20));
  host.signals(false, false);
  await host.until(() => host.text().includes('Calling app_main()'), 5000);
  await host.until(() => chip.state === 'app', 5000);
  return { chip, host };
}

/** Device packets received since `from` (console text between them skipped). */
function packets(host: RawHost, from = 0) {
  const reader = new ImprovPacketReader();
  return reader.push(host.bytes.slice(from)).flatMap((o) => (o.kind === 'packet' ? [o.packet] : []));
}

function strings(data: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 2; i < 2 + data[1]!; i += data[i]! + 1) out.push(new TextDecoder().decode(data.subarray(i + 1, i + 1 + data[i]!)));
  return out;
}

async function ask(host: RawHost, packet: Uint8Array, count: number) {
  const from = host.bytes.length;
  await host.write(packet);
  await host.until(() => packets(host, from).length >= count, 3000);
  return { list: packets(host, from), from };
}

describe('Improv Serial on the demo app', () => {
  it('answers REQUEST_CURRENT_STATE with a current-state packet, byte for byte', async () => {
    const { host } = await runningBoard();
    expect(host.text()).toContain('improv_serial: Improv Serial v1 ready: waiting for Wi-Fi settings');
    const from = host.bytes.length;
    await host.write(rpc(0x02));
    await host.until(() => host.bytes.length >= from + 12);
    // IMPROV, version 1, type 1 (current state), length 1, state 2 (ready/authorized), checksum, newline
    const sum = (ascii('IMPROV').reduce((a, b) => a + b, 0) + 1 + 1 + 1 + 2) & 0xff;
    expect(hex(host.bytes.slice(from, from + 12))).toBe(hex([...ascii('IMPROV'), 0x01, 0x01, 0x01, 0x02, sum, 0x0a]));
  });

  it('reports device info: firmware, version, chip, device name', async () => {
    const { host } = await runningBoard();
    const { list } = await ask(host, rpc(0x03), 1);
    expect(list[0]!.type).toBe(0x04);
    expect(list[0]!.data[0]).toBe(0x03);
    expect(strings(list[0]!.data)).toEqual(['fieldflash-demo', '1.0.0', 'ESP32', 'fieldflash-demo-123456']);
  });

  it('lists the scanned networks strongest first, each with RSSI and whether it needs a password, then an empty result', async () => {
    const { host } = await runningBoard('fieldflash-demo', {
      networks: [{ ssid: 'Weak', rssi: -85 }, { ssid: 'Strong', rssi: -40, password: 'longenough1' }],
    });
    const { list } = await ask(host, rpc(0x04), 3);
    expect(list.map((p) => [p.type, p.data[0], strings(p.data)])).toEqual([
      [0x04, 0x04, ['Strong', '-40', 'YES']],
      [0x04, 0x04, ['Weak', '-85', 'NO']],
      [0x04, 0x04, []],
    ]);
  });

  it('joins with the right password: provisioning, then provisioned and the configured URL', async () => {
    const { chip, host } = await runningBoard();
    chip.setWifi({ deviceUrl: 'http://10.1.2.3:8080/', connectMs: 50 });
    const password = chip.wifi.networks[0]!.password!;
    const { list, from } = await ask(host, wifiSettings('FieldLab', password), 3);
    expect(list.map((p) => p.type)).toEqual([0x01, 0x01, 0x04]);
    expect(list[0]!.data[0]).toBe(0x03); // provisioning
    expect(list[1]!.data[0]).toBe(0x04); // provisioned
    expect(list[2]!.data[0]).toBe(0x01);
    expect(strings(list[2]!.data)).toEqual(['http://10.1.2.3:8080/']);
    const console = new TextDecoder().decode(Uint8Array.from(host.bytes.slice(from)));
    expect(console).toContain('sta ip: 10.1.2.3');
    expect(console).not.toContain(password);

    // Asked again, a provisioned device repeats its state and its URL.
    const again = await ask(host, rpc(0x02), 2);
    expect(again.list[0]!.data[0]).toBe(0x04);
    expect(strings(again.list[1]!.data)).toEqual(['http://10.1.2.3:8080/']);
  });

  it('by default reports the first demo device on loopback, and prints no station address for it', async () => {
    const { chip, host } = await runningBoard();
    chip.setWifi({ connectMs: 0 });
    const { list, from } = await ask(host, wifiSettings('FieldLab', chip.wifi.networks[0]!.password!), 3);
    expect(strings(list[2]!.data)).toEqual(['http://127.0.0.1:8070/']);
    const console = new TextDecoder().decode(Uint8Array.from(host.bytes.slice(from)));
    expect(console).toContain('provisioned; reachable at http://127.0.0.1:8070/');
    expect(console).not.toContain('sta ip');
  });

  it('a wrong password ends in UNABLE_TO_CONNECT and back to ready, and the password never reaches the console', async () => {
    const { chip, host } = await runningBoard();
    chip.setWifi({ connectMs: 20 });
    const { list, from } = await ask(host, wifiSettings('FieldLab', 'not-the-password'), 3);
    expect(list.map((p) => [p.type, p.data[0]])).toEqual([
      [0x01, 0x03], // provisioning
      [0x02, 0x03], // error: unable to connect
      [0x01, 0x02], // ready again
    ]);
    const console = new TextDecoder().decode(Uint8Array.from(host.bytes.slice(from)));
    expect(console).toContain('4WAY_HANDSHAKE_TIMEOUT');
    expect(console).not.toContain('not-the-password');
  });

  it('a network it cannot see also fails to connect', async () => {
    const { chip, host } = await runningBoard();
    chip.setWifi({ connectMs: 0 });
    const { list } = await ask(host, wifiSettings('Elsewhere', 'whatever-pass'), 2);
    expect(list[1]).toMatchObject({ type: 0x02 });
    expect(list[1]!.data[0]).toBe(0x03);
    expect(host.text()).toContain('NO_AP_FOUND');
  });

  it('a bad checksum gives INVALID_RPC_PACKET, an unknown command UNKNOWN_RPC_COMMAND', async () => {
    const { host } = await runningBoard();
    const bad = await ask(host, hostPacket(0x03, [0x02, 0x00], { corruptChecksum: true }), 1);
    expect([bad.list[0]!.type, bad.list[0]!.data[0]]).toEqual([0x02, 0x01]);
    const unknown = await ask(host, rpc(0x42), 1);
    expect([unknown.list[0]!.type, unknown.list[0]!.data[0]]).toEqual([0x02, 0x02]);
    const short = await ask(host, hostPacket(0x03, [0x01, 0x05, 0x01]), 1);
    expect([short.list[0]!.type, short.list[0]!.data[0]]).toEqual([0x02, 0x01]);
  });

  it('finds packets split across writes and surrounded by other bytes', async () => {
    const { host } = await runningBoard();
    const packet = rpc(0x02);
    const from = host.bytes.length;
    await host.write(Uint8Array.from([...ascii('garbage IMPRO'), 0x0a, ...packet.subarray(0, 5)]));
    await host.write(packet.subarray(5));
    await host.until(() => packets(host, from).length >= 1);
    expect(packets(host, from)[0]!.data[0]).toBe(0x02);
  });

  it('a reset forgets the Wi-Fi join in progress', async () => {
    const { chip, host } = await runningBoard();
    chip.setWifi({ connectMs: 200 });
    await host.write(wifiSettings('FieldLab', chip.wifi.networks[0]!.password!));
    await host.until(() => packets(host).some((p) => p.type === 0x01 && p.data[0] === 0x03));
    host.signals(false, true);
    await new Promise((r) => setTimeout(r, 300));
    expect(packets(host).some((p) => p.type === 0x01 && p.data[0] === 0x04)).toBe(false);
  });
});

describe('apps that do not speak Improv', () => {
  it('the real fixture firmware stays silent to Improv requests', async () => {
    const dir = new URL('../../../../shared/fixtures/esp-web-tools-logibus-dualout/firmware_esp-idf-v5.1/', import.meta.url);
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false, flashSize: 16 * 1024 * 1024 });
    chip.loadFlash(0x1000, new Uint8Array(readFileSync(new URL('bootloader.bin', dir))));
    chip.loadFlash(0x8000, new Uint8Array(readFileSync(new URL('partition-table.bin', dir))));
    chip.loadFlash(0x10000, new Uint8Array(readFileSync(new URL('Application.bin', dir))));
    const host = new RawHost(chip);
    host.signals(true, true);
    host.signals(false, true);
    await new Promise((r) => setTimeout(r, 20));
    host.signals(false, false);
    await host.until(() => host.text().includes('Calling app_main()'), 5000);
    expect(chip.speaksImprov).toBe(false);
    const from = host.bytes.length;
    await host.write(rpc(0x02));
    await new Promise((r) => setTimeout(r, 200));
    expect(packets(host, from)).toEqual([]);
  });

  it('another project answers only once it is declared as speaking Improv', async () => {
    const { chip } = await runningBoard('someone-elses-app');
    expect(chip.speaksImprov).toBe(false);
    const declared = await runningBoard('someone-elses-app', { improvApps: ['someone-elses-app'] });
    expect(declared.chip.speaksImprov).toBe(true);
  });

  it('refuses a configuration a real network could not have', () => {
    const chip = new EspEmulator({ chip: 'esp32', wireTime: false });
    expect(() => chip.setWifi({ networks: [{ ssid: 'Short', rssi: -50, password: 'abc' }] })).toThrow(/8 to 63 characters/);
    expect(() => chip.setWifi({ deviceUrl: 'ftp://x' })).toThrow(/http/);
  });
});
