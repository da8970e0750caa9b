// The 2nd-stage bootloader's view of the partition table at 0x8000 and of otadata: which app to boot.

export const PARTITION_TABLE_OFFSET = 0x8000;
const ENTRY_SIZE = 32;
const MAX_ENTRIES = 95;
const ENTRY_MAGIC = 0x50aa;
const MD5_MAGIC = 0xebeb;

export interface BootPartition {
  label: string;
  type: number;
  subtype: number;
  offset: number;
  size: number;
}

export type PartitionTableResult =
  | { ok: true; partitions: BootPartition[] }
  | { ok: false; index: number; magic: number };

export function readPartitionTable(bytes: Uint8Array): PartitionTableResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const partitions: BootPartition[] = [];
  for (let i = 0; i < MAX_ENTRIES && (i + 1) * ENTRY_SIZE <= bytes.length; i++) {
    const at = i * ENTRY_SIZE;
    const magic = view.getUint16(at, true);
    if (magic === 0xffff || magic === MD5_MAGIC) break;
    if (magic !== ENTRY_MAGIC) return { ok: false, index: i, magic };
    const labelBytes = bytes.subarray(at + 12, at + 28);
    const end = labelBytes.indexOf(0);
    partitions.push({
      type: bytes[at + 2]!,
      subtype: bytes[at + 3]!,
      offset: view.getUint32(at + 4, true),
      size: view.getUint32(at + 8, true),
      label: new TextDecoder().decode(end >= 0 ? labelBytes.subarray(0, end) : labelBytes),
    });
  }
  if (partitions.length === 0) return { ok: false, index: 0, magic: view.getUint16(0, true) };
  return { ok: true, partitions };
}

/** The "Usage" column of the bootloader's partition listing. */
export function partitionUsage(p: BootPartition): string {
  if (p.type === 0x00) {
    if (p.subtype === 0x00) return 'factory app';
    if (p.subtype === 0x20) return 'test app';
    if (p.subtype >= 0x10 && p.subtype < 0x20) return 'OTA app';
    return 'Unknown app';
  }
  if (p.type === 0x01) {
    switch (p.subtype) {
      case 0x00: return 'OTA data';
      case 0x01: return 'RF data';
      case 0x02: return 'WiFi data';
      case 0x04: return 'NVS keys';
      case 0x05: return 'efuse';
      default: return 'Unknown data';
    }
  }
  return 'unknown';
}

/** crc32_le as the ROM implements it (esp_rom_crc32_le): the caller's seed is inverted on the way in and out. */
export function romCrc32Le(seed: number, bytes: Uint8Array): number {
  let crc = ~seed >>> 0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

const OTA_IMG_INVALID = 3;
const OTA_IMG_ABORTED = 4;

/** esp_ota_select_entry_t: valid when the CRC over ota_seq matches and the state is not invalid/aborted. */
function otaSequence(sector: Uint8Array): number | undefined {
  const view = new DataView(sector.buffer, sector.byteOffset, 32);
  const seq = view.getUint32(0, true);
  const state = view.getUint32(24, true);
  const crc = view.getUint32(28, true);
  if (seq === 0xffffffff || seq === 0) return undefined;
  if (crc !== romCrc32Le(0xffffffff, sector.subarray(0, 4))) return undefined;
  if (state === OTA_IMG_INVALID || state === OTA_IMG_ABORTED) return undefined;
  return seq;
}

export type BootChoice =
  | { kind: 'factory'; partition: BootPartition; defaulted: boolean }
  | { kind: 'ota'; partition: BootPartition; slot: number }
  | { kind: 'none' };

/**
 * Picks the app as bootloader_utility_get_selected_boot_partition does: no otadata partition means factory;
 * otherwise the highest valid sequence number selects ota_[(seq - 1) % count]; nothing valid falls back to
 * factory (or ota_0 when there is no factory).
 */
export function chooseBootPartition(partitions: BootPartition[], readFlash: (offset: number, length: number) => Uint8Array): BootChoice {
  const apps = partitions.filter((p) => p.type === 0x00);
  const factory = apps.find((p) => p.subtype === 0x00);
  const otaSlots = apps.filter((p) => p.subtype >= 0x10 && p.subtype < 0x20).sort((a, b) => a.subtype - b.subtype);
  const otadata = partitions.find((p) => p.type === 0x01 && p.subtype === 0x00);
  if (!otadata) {
    if (factory) return { kind: 'factory', partition: factory, defaulted: false };
    return otaSlots[0] ? { kind: 'ota', partition: otaSlots[0], slot: 0 } : { kind: 'none' };
  }
  const sequences = [0, 1]
    .map((i) => otaSequence(readFlash(otadata.offset + i * 0x1000, 32)))
    .filter((s): s is number => s !== undefined);
  if (sequences.length > 0 && otaSlots.length > 0) {
    const seq = Math.max(...sequences);
    const slot = (seq - 1) % otaSlots.length;
    return { kind: 'ota', partition: otaSlots[slot]!, slot };
  }
  if (factory) return { kind: 'factory', partition: factory, defaulted: true };
  return otaSlots[0] ? { kind: 'ota', partition: otaSlots[0], slot: 0 } : { kind: 'none' };
}
