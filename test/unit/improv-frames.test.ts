// The console leaves Improv Serial packets out and keeps everything else, however the bytes are chunked.
import { describe, expect, it } from 'vitest';
import { encodeImprovPacket, ImprovPacketType } from '@fieldflash/esp-emulator';
import { ImprovFrameFilter } from '../../src/serial/improv-frames.ts';
import { parseNetworks, formatNetworks } from '../../src/provision/simulated-networks.ts';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

function run(chunks: Uint8Array[]): string {
  const filter = new ImprovFrameFilter();
  return chunks.map((c) => decode(filter.push(c))).join('');
}

describe('ImprovFrameFilter', () => {
  const packet = encodeImprovPacket(ImprovPacketType.rpcResult, [0x01, 0x0a, 0x09, ...text('http://x/')]);
  const stream = Uint8Array.from([...text('I (500) app: before\r\n'), ...packet, ...text('I (510) app: after IMPRO? Improv\r\n')]);

  it('drops a whole packet and its newline, keeps the log lines around it', () => {
    expect(run([stream])).toBe('I (500) app: before\r\nI (510) app: after IMPRO? Improv\r\n');
  });

  it('gives the same text byte by byte', () => {
    expect(run(Array.from(stream, (b) => Uint8Array.of(b)))).toBe('I (500) app: before\r\nI (510) app: after IMPRO? Improv\r\n');
  });

  it('keeps "IMPROV" text that is not a version-1 packet', () => {
    expect(run([text('IMPROVEMENTS: none\n')])).toBe('IMPROVEMENTS: none\n');
  });
});

describe('simulated networks as typed', () => {
  it('reads name, password and signal; an empty password is an open network', () => {
    expect(parseNetworks('FieldLab, secret-pass, -45\n\nCafe, , -70')).toEqual([
      { ssid: 'FieldLab', rssi: -45, password: 'secret-pass' },
      { ssid: 'Cafe', rssi: -70 },
    ]);
    expect(formatNetworks([{ ssid: 'Cafe', rssi: -70 }])).toBe('Cafe, , -70');
  });

  it('names the line that is wrong', () => {
    expect(() => parseNetworks('Good, password1, -40\n, x, -50')).toThrow(/Line 2: the network has no name/);
    expect(() => parseNetworks('Lab, password1, loud')).toThrow(/Line 1: the signal "loud"/);
    expect(() => parseNetworks('  ')).toThrow(/at least one network/);
  });
});
