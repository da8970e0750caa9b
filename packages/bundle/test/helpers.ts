// Test material: the real fixture, zips made with jszip, zips crafted byte by byte (to tell lies no
// zip tool would), and native releases built with the image writer.
import JSZip from 'jszip';
import { readFileSync, readdirSync } from 'node:fs';
import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  writeAppImage, writeBootloaderImage, writePartitionTable, writeNativeManifest, BundleError,
  type ChipFamily, type NativeTargetSpec,
} from '../src/index.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/esp-web-tools-logibus-dualout/', import.meta.url));

export interface BundleFile {
  path: string;
  data: Uint8Array;
}

export function fixtureFiles(prefix = ''): BundleFile[] {
  const sub = 'firmware_esp-idf-v5.1';
  return [
    { path: `${prefix}manifest.json`, data: readFileSync(`${FIXTURE_DIR}manifest.json`) },
    ...readdirSync(`${FIXTURE_DIR}${sub}`).sort().map((f) => ({ path: `${prefix}${sub}/${f}`, data: readFileSync(`${FIXTURE_DIR}${sub}/${f}`) })),
  ].map((f) => ({ path: f.path, data: new Uint8Array(f.data) }));
}

export async function zipFiles(files: BundleFile[], compression: 'DEFLATE' | 'STORE' = 'DEFLATE'): Promise<Blob> {
  const zip = new JSZip();
  for (const f of files) zip.file(f.path, f.data, { createFolders: false });
  return zip.generateAsync({ type: 'blob', compression });
}

/** Damages one byte in place. */
export function flip(bytes: Uint8Array, at: number, mask = 0xff): void {
  bytes[at] = bytes[at]! ^ mask;
}

export function asFolder(files: BundleFile[]): Array<{ path: string; data: Blob }> {
  return files.map((f) => ({ path: f.path, data: new Blob([f.data as BlobPart]) }));
}

export interface CraftEntry {
  name: string;
  data: Uint8Array;
  method?: 0 | 8;
  /** Lies, written into both headers unless a local-only lie is given. */
  crc32?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  localUncompressedSize?: number;
  /** Replaces the compressed bytes. */
  payload?: Uint8Array;
}

/** Writes a zip byte by byte, so that tests can put any lie into its headers. */
export function craftZip(entries: CraftEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const offsets: number[] = [];
  const metas = entries.map((e) => {
    const method = e.method ?? 8;
    const payload = e.payload ?? (method === 8 ? new Uint8Array(deflateRawSync(e.data)) : e.data);
    const name = new TextEncoder().encode(e.name);
    return {
      e, method, payload, name,
      crc: e.crc32 ?? zlibCrc32(e.data),
      csize: e.compressedSize ?? payload.length,
      usize: e.uncompressedSize ?? e.data.length,
    };
  });
  for (const m of metas) {
    const local = new Uint8Array(30 + m.name.length);
    const v = new DataView(local.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, 0x800, true);
    v.setUint16(8, m.method, true);
    v.setUint32(14, m.crc, true);
    v.setUint32(18, m.csize, true);
    v.setUint32(22, m.e.localUncompressedSize ?? m.usize, true);
    v.setUint16(26, m.name.length, true);
    local.set(m.name, 30);
    offsets.push(offset);
    chunks.push(local, m.payload);
    offset += local.length + m.payload.length;
  }
  const cdStart = offset;
  metas.forEach((m, i) => {
    const c = new Uint8Array(46 + m.name.length);
    const v = new DataView(c.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, (3 << 8) | 20, true); // made on Unix, where '\\' is not a separator
    v.setUint16(6, 20, true);
    v.setUint16(8, 0x800, true);
    v.setUint16(10, m.method, true);
    v.setUint32(16, m.crc, true);
    v.setUint32(20, m.csize, true);
    v.setUint32(24, m.usize, true);
    v.setUint16(28, m.name.length, true);
    v.setUint32(42, offsets[i]!, true);
    c.set(m.name, 46);
    central.push(c);
    offset += c.length;
  });
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, metas.length, true);
  ev.setUint16(10, metas.length, true);
  ev.setUint32(12, offset - cdStart, true);
  ev.setUint32(16, cdStart, true);
  const out = new Uint8Array(offset + 22);
  let at = 0;
  for (const c of [...chunks, ...central, end]) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export interface NativeOptions {
  chipFamily?: ChipFamily;
  /** Builds the app images for another chip than the manifest names. */
  imageChipFamily?: Exclude<ChipFamily, 'ESP8266'>;
  version?: string;
  appOffset?: number;
  flashSize?: string;
  mutate?: (manifest: Record<string, any>) => void;
}

/** A complete native ESP32 release: bootloader, partition table, factory app and two OTA slot images. */
export async function nativeFiles(options: NativeOptions = {}): Promise<BundleFile[]> {
  const chipFamily = options.chipFamily ?? 'ESP32';
  const imageChip = options.imageChipFamily ?? (chipFamily === 'ESP8266' ? 'ESP32' : chipFamily);
  const version = options.version ?? '1.2.0';
  const app = (slot: number) => writeAppImage({ chipFamily: imageChip, projectName: 'test-app', version, secureVersion: 1, payload: new TextEncoder().encode(`slot ${slot}`.repeat(200)) });
  const files = [
    { path: 'bootloader.bin', data: await writeBootloaderImage({ chipFamily: imageChip }), role: 'bootloader' as const },
    {
      path: 'partition-table.bin',
      data: writePartitionTable([
        { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x4000 },
        { label: 'otadata', type: 'data', subtype: 'ota', offset: 0xd000, size: 0x2000 },
        { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
        { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 },
        { label: 'ota_0', type: 'app', subtype: 'ota_0', offset: 0x110000, size: 0x100000 },
        { label: 'ota_1', type: 'app', subtype: 'ota_1', offset: 0x210000, size: 0x100000 },
      ]),
      role: 'partition-table' as const,
    },
    { path: 'app.bin', data: await app(9), role: 'app' as const },
    { path: 'ota/slot0.bin', data: await app(0), role: 'app' as const },
    { path: 'ota/slot1.bin', data: await app(1), role: 'app' as const },
  ];
  const target: NativeTargetSpec = {
    chipFamily,
    board: 'test-board',
    hardwareRevision: '>=1.0.0',
    ota: { slot0: 'ota/slot0.bin', slot1: 'ota/slot1.bin' },
    flash: {
      erase: 'all',
      ...(options.flashSize ? { flashSize: options.flashSize } : {}),
      parts: [
        { path: 'bootloader.bin', offset: 0x1000 },
        { path: 'partition-table.bin', offset: 0x8000 },
        { path: 'app.bin', offset: options.appOffset ?? 0x10000 },
      ],
    },
  };
  let text = await writeNativeManifest({ product: 'Test Product', version, sequence: 7, securityVersion: 1, targets: [target], files });
  if (options.mutate) {
    const json = JSON.parse(text);
    options.mutate(json);
    text = JSON.stringify(json, null, 2);
  }
  return [{ path: 'fieldflash.json', data: new TextEncoder().encode(text) }, ...files.map(({ path, data }) => ({ path, data }))];
}

/** Runs `promise` and returns the BundleError it must reject with. */
export async function bundleErrorOf(promise: Promise<unknown>): Promise<BundleError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof BundleError) return err;
    throw new Error(`expected a BundleError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a BundleError, but the bundle was accepted');
}
