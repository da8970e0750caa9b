// Improv Wi-Fi over serial, as bytes on the wire (https://www.improv-wifi.com/serial/):
//   "IMPROV" | version (1) | type | length | data (length bytes) | checksum (sum of every byte before it, low 8 bits)
// Devices end each packet with a newline so line-based consoles stay readable; hosts do the same.

export const IMPROV_HEADER = Uint8Array.from([0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56]); // "IMPROV"
export const IMPROV_VERSION = 1;

export const PacketType = { currentState: 0x01, errorState: 0x02, rpc: 0x03, rpcResult: 0x04 } as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** The device's provisioning state ("authorized" is the serial flavour's resting state). */
export const ImprovState = { ready: 0x02, provisioning: 0x03, provisioned: 0x04 } as const;
export type ImprovState = (typeof ImprovState)[keyof typeof ImprovState];

export const ImprovError = {
  none: 0x00,
  invalidRpcPacket: 0x01,
  unknownRpcCommand: 0x02,
  unableToConnect: 0x03,
  unknown: 0xff,
} as const;
export type ImprovError = (typeof ImprovError)[keyof typeof ImprovError];

export const RpcCommand = { sendWifiSettings: 0x01, requestCurrentState: 0x02, requestDeviceInfo: 0x03, requestScannedNetworks: 0x04 } as const;

export interface ImprovPacket {
  type: number;
  data: Uint8Array;
}

/** One packet, checksum and trailing newline included. */
export function encodeImprovPacket(type: number, data: ArrayLike<number>): Uint8Array {
  if (data.length > 255) throw new RangeError(`an Improv packet carries at most 255 bytes, not ${data.length}`);
  const out = new Uint8Array(IMPROV_HEADER.length + 4 + data.length + 1);
  out.set(IMPROV_HEADER, 0);
  out[6] = IMPROV_VERSION;
  out[7] = type;
  out[8] = data.length;
  out.set(Array.from(data), 9);
  let sum = 0;
  for (let i = 0; i < 9 + data.length; i++) sum += out[i]!;
  out[9 + data.length] = sum & 0xff;
  out[10 + data.length] = 0x0a;
  return out;
}

/** An RPC result's data: the command it answers, the total length, then each string with its own length byte. */
export function rpcResultData(command: number, strings: readonly string[]): Uint8Array {
  const encoded = strings.map((s) => new TextEncoder().encode(s).subarray(0, 255));
  const body = encoded.flatMap((bytes) => [bytes.length, ...bytes]);
  if (body.length > 253) throw new RangeError('the RPC result is too long for one Improv packet');
  return Uint8Array.from([command, body.length, ...body]);
}

export type ReadOutcome = { kind: 'packet'; packet: ImprovPacket } | { kind: 'bad-checksum' } | { kind: 'bad-version'; version: number };

/**
 * Finds Improv packets in a byte stream that may carry anything else between them (a console, line noise).
 * Bytes that are not part of a packet are dropped.
 */
export class ImprovPacketReader {
  private buffer: number[] = [];

  push(bytes: ArrayLike<number>): ReadOutcome[] {
    const out: ReadOutcome[] = [];
    for (const byte of Array.from(bytes)) {
      this.buffer.push(byte);
      this.advance(out);
    }
    return out;
  }

  private advance(out: ReadOutcome[]): void {
    const b = this.buffer;
    if (b.length <= IMPROV_HEADER.length) {
      // Whatever is held so far must still be able to become "IMPROV".
      while (b.length > 0 && !b.every((x, i) => x === IMPROV_HEADER[i])) b.shift();
      return;
    }
    if (b.length < 9) return;
    const length = b[8]!;
    if (b.length < 10 + length) return;
    const version = b[6]!;
    let sum = 0;
    for (let i = 0; i < 9 + length; i++) sum += b[i]!;
    const checksum = b[9 + length]!;
    const packet = { type: b[7]!, data: Uint8Array.from(b.slice(9, 9 + length)) };
    this.buffer = [];
    if (version !== IMPROV_VERSION) out.push({ kind: 'bad-version', version });
    else if ((sum & 0xff) !== checksum) out.push({ kind: 'bad-checksum' });
    else out.push({ kind: 'packet', packet });
  }
}

/** The RPC inside a packet of type `rpc`: command, length, data. Undefined when the lengths disagree. */
export function parseRpc(data: Uint8Array): { command: number; payload: Uint8Array } | undefined {
  if (data.length < 2) return undefined;
  const length = data[1]!;
  if (data.length !== 2 + length) return undefined;
  return { command: data[0]!, payload: data.subarray(2) };
}

/** SEND_WIFI_SETTINGS payload: SSID length, SSID, password length, password. */
export function parseWifiSettings(payload: Uint8Array): { ssid: string; password: string } | undefined {
  const ssidLength = payload[0];
  if (ssidLength === undefined || payload.length < 2 + ssidLength) return undefined;
  const passwordLength = payload[1 + ssidLength]!;
  if (payload.length !== 2 + ssidLength + passwordLength) return undefined;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return {
    ssid: decoder.decode(payload.subarray(1, 1 + ssidLength)),
    password: decoder.decode(payload.subarray(2 + ssidLength)),
  };
}
