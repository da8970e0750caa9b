// ESP-IDF partition tables: 32-byte entries (magic 0xAA50), an optional MD5 entry (0xEBEB), then 0xFF.
import SparkMD5 from 'spark-md5';
import { toHex } from './digest.ts';

export const PARTITION_TABLE_OFFSET = 0x8000;
export const PARTITION_TABLE_MAX_SIZE = 0xc00;
const ENTRY_SIZE = 32;

export type PartitionType = 'app' | 'data' | 'bootloader' | 'partition-table' | 'unknown';

export interface Partition {
  label: string;
  type: PartitionType;
  typeId: number;
  subtypeId: number;
  /** esp-idf's name for the subtype: factory, ota_0…ota_15, test, ota, phy, nvs, coredump, nvs_keys, efuse, spiffs… */
  subtype: string;
  offset: number;
  size: number;
  encrypted: boolean;
  readonly: boolean;
}

export interface PartitionTable {
  partitions: Partition[];
  /** Undefined when the table carries no MD5 entry (tables built with MD5 disabled). */
  md5Valid?: boolean;
  md5?: string;
}

/** The MD5 ESP-IDF stores after the entries (WebCrypto offers no MD5). */
export function partitionTableMd5(entries: Uint8Array): Uint8Array {
  const hex = SparkMD5.ArrayBuffer.hash(entries.slice().buffer);
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}

export class PartitionTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartitionTableError';
  }
}

const TYPES: Record<number, PartitionType> = { 0x00: 'app', 0x01: 'data', 0x02: 'bootloader', 0x03: 'partition-table' };
const DATA_SUBTYPES: Record<number, string> = {
  0x00: 'ota', 0x01: 'phy', 0x02: 'nvs', 0x03: 'coredump', 0x04: 'nvs_keys', 0x05: 'efuse', 0x06: 'undefined',
  0x80: 'esphttpd', 0x81: 'fat', 0x82: 'spiffs', 0x83: 'littlefs',
};

export function subtypeName(typeId: number, subtypeId: number): string {
  if (typeId === 0x00) {
    if (subtypeId === 0x00) return 'factory';
    if (subtypeId >= 0x10 && subtypeId <= 0x1f) return `ota_${subtypeId - 0x10}`;
    if (subtypeId === 0x20) return 'test';
  } else if (typeId === 0x01 && DATA_SUBTYPES[subtypeId]) return DATA_SUBTYPES[subtypeId];
  return `0x${subtypeId.toString(16).padStart(2, '0')}`;
}

export function isPartitionTable(bytes: Uint8Array): boolean {
  return bytes.length >= ENTRY_SIZE && bytes[0] === 0xaa && bytes[1] === 0x50;
}

/** Parses a partition table; throws PartitionTableError saying what is wrong. */
export function parsePartitionTable(bytes: Uint8Array): PartitionTable {
  if (!isPartitionTable(bytes)) throw new PartitionTableError('not a partition table: it does not start with 0xAA50');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const partitions: Partition[] = [];
  const table: PartitionTable = { partitions };
  for (let at = 0; at + ENTRY_SIZE <= Math.min(bytes.length, PARTITION_TABLE_MAX_SIZE); at += ENTRY_SIZE) {
    if (bytes[at] === 0xaa && bytes[at + 1] === 0x50) {
      const typeId = bytes[at + 2]!;
      const subtypeId = bytes[at + 3]!;
      const labelBytes = bytes.subarray(at + 12, at + 28);
      const end = labelBytes.indexOf(0);
      const flags = view.getUint32(at + 28, true);
      partitions.push({
        label: new TextDecoder().decode(end >= 0 ? labelBytes.subarray(0, end) : labelBytes),
        type: TYPES[typeId] ?? 'unknown',
        typeId,
        subtypeId,
        subtype: subtypeName(typeId, subtypeId),
        offset: view.getUint32(at + 4, true),
        size: view.getUint32(at + 8, true),
        encrypted: (flags & 1) !== 0,
        readonly: (flags & 2) !== 0,
      });
    } else if (bytes[at] === 0xeb && bytes[at + 1] === 0xeb) {
      const stored = toHex(bytes.subarray(at + 16, at + 32));
      table.md5 = stored;
      table.md5Valid = toHex(partitionTableMd5(bytes.subarray(0, at))) === stored;
      break;
    } else if (bytes.subarray(at, at + ENTRY_SIZE).every((b) => b === 0xff)) {
      break;
    } else {
      throw new PartitionTableError(`entry ${at / ENTRY_SIZE} at byte ${at} is neither a partition (0xAA50), the MD5 entry (0xEBEB) nor the end (0xFF)`);
    }
  }
  if (partitions.length === 0) throw new PartitionTableError('the table lists no partitions');
  const sorted = [...partitions].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.offset + prev.size > cur.offset) {
      throw new PartitionTableError(`partition "${prev.label}" (0x${prev.offset.toString(16)}, ${prev.size} bytes) overlaps "${cur.label}" at 0x${cur.offset.toString(16)}`);
    }
  }
  return table;
}

/** The app partitions a device boots from: factory and ota_N, in offset order. */
export function appPartitions(table: PartitionTable): Partition[] {
  return table.partitions.filter((p) => p.type === 'app').sort((a, b) => a.offset - b.offset);
}
