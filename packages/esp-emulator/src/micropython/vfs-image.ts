// How the simulated MicroPython board keeps its files in the "vfs" data partition, so they live in the emulated
// flash like a real board's littlefs does: across resets, power cuts and into a saved flash file. The layout is
// FieldFlash's own (a header and one record per directory or file), not littlefs; only the emulator reads it.
//
//   "FFMPVFS1"  u32 payload length  u32 CRC-32 of the payload  payload
//   payload: records of  u8 kind (1 directory, 2 file)  u16 path length  path (UTF-8)  [u32 size  bytes]
import { romCrc32Le } from '../boot/partition-table.ts';

export type BoardEntry = { kind: 'dir'; path: string } | { kind: 'file'; path: string; bytes: Uint8Array };

export type VfsContents = { kind: 'files'; entries: BoardEntry[] } | { kind: 'erased' } | { kind: 'unreadable' };

const MAGIC = new TextEncoder().encode('FFMPVFS1');
const HEADER = MAGIC.length + 8;
const DIR = 1;
const FILE = 2;

export function encodeVfsImage(entries: readonly BoardEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const records = entries.map((entry) => {
    const path = encoder.encode(entry.path);
    const body = entry.kind === 'file' ? entry.bytes : new Uint8Array(0);
    const record = new Uint8Array(3 + path.length + (entry.kind === 'file' ? 4 + body.length : 0));
    const view = new DataView(record.buffer);
    record[0] = entry.kind === 'file' ? FILE : DIR;
    view.setUint16(1, path.length, true);
    record.set(path, 3);
    if (entry.kind === 'file') {
      view.setUint32(3 + path.length, body.length, true);
      record.set(body, 7 + path.length);
    }
    return record;
  });
  const payloadLength = records.reduce((sum, r) => sum + r.length, 0);
  const image = new Uint8Array(HEADER + payloadLength);
  image.set(MAGIC, 0);
  let at = HEADER;
  for (const r of records) {
    image.set(r, at);
    at += r.length;
  }
  const view = new DataView(image.buffer);
  view.setUint32(MAGIC.length, payloadLength, true);
  view.setUint32(MAGIC.length + 4, romCrc32Le(0, image.subarray(HEADER)), true);
  return image;
}

export function decodeVfsImage(partition: Uint8Array): VfsContents {
  if (partition.subarray(0, 4096).every((b) => b === 0xff)) return { kind: 'erased' };
  if (partition.length < HEADER || !MAGIC.every((b, i) => partition[i] === b)) return { kind: 'unreadable' };
  const view = new DataView(partition.buffer, partition.byteOffset, partition.byteLength);
  const length = view.getUint32(MAGIC.length, true);
  if (HEADER + length > partition.length) return { kind: 'unreadable' };
  const payload = partition.subarray(HEADER, HEADER + length);
  if (romCrc32Le(0, payload) !== view.getUint32(MAGIC.length + 4, true)) return { kind: 'unreadable' };
  const decoder = new TextDecoder();
  const entries: BoardEntry[] = [];
  let at = 0;
  while (at < payload.length) {
    const kind = payload[at];
    const pathLength = view.getUint16(HEADER + at + 1, true);
    const path = decoder.decode(payload.subarray(at + 3, at + 3 + pathLength));
    at += 3 + pathLength;
    if (kind === DIR) {
      entries.push({ kind: 'dir', path });
    } else if (kind === FILE) {
      const size = view.getUint32(HEADER + at, true);
      entries.push({ kind: 'file', path, bytes: payload.slice(at + 4, at + 4 + size) });
      at += 4 + size;
    } else {
      return { kind: 'unreadable' };
    }
  }
  return { kind: 'files', entries };
}
