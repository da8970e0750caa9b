// A 32 MiB ESP Web Tools release for an ESP32-S3 with 32 MiB of flash, made of firmware-like bytes: machine
// code does not compress much, erased flash (0xFF) compresses to nothing, so each 4 KiB block is some of each.
import JSZip from 'jszip';
import { pseudoRandomBytes, writeAppImage, writeBootloaderImage, writePartitionTable } from '../../packages/bundle/src/index.ts';

const MiB = 1024 * 1024;
const FLASH_MIB = 32;
const APP_OFFSET = 0x10000;
const APP_PARTITION = 12 * MiB;
const STORAGE_OFFSET = APP_OFFSET + APP_PARTITION;
const STORAGE_PARTITION = FLASH_MIB * MiB - STORAGE_OFFSET;

export interface BenchFile {
  path: string;
  bytes: Uint8Array;
}

/** Blocks of 4 KiB: 50–100 % pseudo-random "code", the rest 0xFF padding, as in a real image or filesystem. */
function firmwareLike(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length).fill(0xff);
  const noise = pseudoRandomBytes(length, seed);
  const lengths = pseudoRandomBytes(Math.ceil(length / 4096), seed ^ 0x9e3779b9);
  for (let block = 0, at = 0; at < length; block++, at += 4096) {
    const used = 2048 + Math.floor((lengths[block]! / 255) * 2048);
    out.set(noise.subarray(at, Math.min(at + used, length)), at);
  }
  return out;
}

export async function benchReleaseFiles(): Promise<BenchFile[]> {
  const bootloader = await writeBootloaderImage({ chipFamily: 'ESP32-S3', flashSizeMiB: FLASH_MIB, idfVersion: 'v5.3.1', dateTime: 'Mar  3 2025 10:00:00' });
  const partitions = writePartitionTable([
    { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
    { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
    { label: 'factory', type: 'app', subtype: 'factory', offset: APP_OFFSET, size: APP_PARTITION },
    { label: 'storage', type: 'data', subtype: 'spiffs', offset: STORAGE_OFFSET, size: STORAGE_PARTITION },
  ]);
  const app = await writeAppImage({
    chipFamily: 'ESP32-S3',
    flashSizeMiB: FLASH_MIB,
    projectName: 'bench-gateway',
    version: '3.2.0',
    idfVersion: 'v5.3.1',
    date: 'Mar  3 2025',
    time: '10:00:00',
    payload: firmwareLike(APP_PARTITION - 64 * 1024, 0xc0de),
  });
  const storage = firmwareLike(STORAGE_PARTITION - 64 * 1024, 0xf11e);
  const manifest = {
    name: 'Bench Gateway S3',
    version: '3.2.0',
    builds: [
      {
        chipFamily: 'ESP32-S3',
        parts: [
          { path: 'bootloader.bin', offset: 0x0 },
          { path: 'partition-table.bin', offset: 0x8000 },
          { path: 'bench-gateway.bin', offset: APP_OFFSET },
          { path: 'storage.bin', offset: STORAGE_OFFSET },
        ],
      },
    ],
  };
  return [
    { path: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(manifest, null, 2)) },
    { path: 'bootloader.bin', bytes: bootloader },
    { path: 'partition-table.bin', bytes: partitions },
    { path: 'bench-gateway.bin', bytes: app },
    { path: 'storage.bin', bytes: storage },
  ];
}

/** Zipped the way release tooling does it: deflate, level 6. */
export async function zipRelease(files: readonly BenchFile[]): Promise<Buffer> {
  const zip = new JSZip();
  for (const f of files) zip.file(f.path, f.bytes, { createFolders: false, binary: true });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
