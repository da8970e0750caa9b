// A technician's shelf: 50 small but real releases (bootloader, partition table and app images written by the
// bundle's image writer, a FieldFlash manifest with every digest), across several products, chips, boards and
// versions, zipped as release tooling does. Same bytes on every run.
import JSZip from 'jszip';
import {
  pseudoRandomBytes, writeAppImage, writeBootloaderImage, writeNativeManifest, writePartitionTable, type ChipFamily,
} from '../../packages/bundle/src/index.ts';

type ImageChip = Exclude<ChipFamily, 'ESP8266'>;

export interface ShelfProduct {
  product: string;
  project: string;
  /** One build per chip family; a product with two builds serves both from one release. */
  targets: Array<{ chipFamily: ImageChip; board: string }>;
  versions: string[];
}

/** 50 releases: six products; versions chosen so that SemVer order and text order differ (1.10.0 after 1.9.0). */
export const SHELF: readonly ShelfProduct[] = [
  {
    product: 'Pump Controller',
    project: 'pump-controller',
    targets: [{ chipFamily: 'ESP32', board: 'pumpctl-rev3' }],
    versions: ['1.7.0', '1.8.0', '1.8.1', '1.9.0', '1.10.0', '1.10.1', '1.11.0', '2.0.0-rc.1', '2.0.0'],
  },
  {
    product: 'Gate Opener',
    project: 'gate-opener',
    targets: [{ chipFamily: 'ESP32-C3', board: 'gate-c3-mini' }],
    versions: ['0.9.0', '0.9.4', '1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.2.1', '1.3.0', '1.4.0'],
  },
  {
    product: 'Cold Room Sensor',
    project: 'coldroom-sensor',
    targets: [{ chipFamily: 'ESP32-S3', board: 'coldroom-s3' }],
    versions: ['3.0.0', '3.1.0', '3.1.1', '3.2.0', '3.2.1', '3.3.0', '3.4.0', '3.5.0'],
  },
  {
    product: 'LoRa Gateway',
    project: 'lora-gateway',
    targets: [
      { chipFamily: 'ESP32-S3', board: 'lgw-s3-v2' },
      { chipFamily: 'ESP32', board: 'lgw-classic' },
    ],
    versions: ['4.0.0', '4.1.0', '4.2.0', '4.2.1', '4.3.0', '4.4.0', '4.5.0', '4.6.0'],
  },
  {
    product: 'Meter Reader',
    project: 'meter-reader',
    targets: [{ chipFamily: 'ESP32-C6', board: 'mr-c6' }],
    versions: ['2.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0', '2.5.0', '2.6.0', '2.7.0'],
  },
  {
    product: 'Valve Node',
    project: 'valve-node',
    targets: [{ chipFamily: 'ESP32-S2', board: 'valve-s2' }],
    versions: ['0.1.0', '0.2.0', '0.3.0', '0.4.0', '0.5.0', '0.6.0', '0.7.0', '0.8.0'],
  },
];

export interface ShelfRelease {
  product: string;
  version: string;
  chipFamilies: ImageChip[];
  boards: string[];
  zipName: string;
  zip: Buffer;
}

/** A FieldFlash release: per target a bootloader and app image, one partition table; a few KiB each. */
async function shelfRelease(spec: ShelfProduct, version: string, seed: number): Promise<ShelfRelease> {
  const files: Array<{ path: string; data: Uint8Array; role: 'bootloader' | 'partition-table' | 'app' }> = [
    {
      path: 'partition-table.bin',
      role: 'partition-table',
      data: writePartitionTable([
        { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
        { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
        { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x100000 },
      ]),
    },
  ];
  for (const [i, target] of spec.targets.entries()) {
    const chip = target.chipFamily.toLowerCase();
    files.push(
      { path: `${chip}/bootloader.bin`, role: 'bootloader', data: await writeBootloaderImage({ chipFamily: target.chipFamily, flashSizeMiB: 4 }) },
      {
        path: `${chip}/${spec.project}.bin`,
        role: 'app',
        data: await writeAppImage({
          chipFamily: target.chipFamily,
          flashSizeMiB: 4,
          projectName: spec.project,
          version,
          payload: pseudoRandomBytes(4096 + ((seed * 977 + i * 331) % 8192), seed * 31 + i + 1),
        }),
      },
    );
  }
  const manifest = await writeNativeManifest({
    product: spec.product,
    version,
    sequence: seed,
    securityVersion: 0,
    releaseNotes: `${spec.product} ${version}`,
    targets: spec.targets.map((target) => {
      const chip = target.chipFamily.toLowerCase();
      return {
        chipFamily: target.chipFamily,
        board: target.board,
        flash: {
          erase: 'parts' as const,
          flashSize: '4MB',
          parts: [
            { path: `${chip}/bootloader.bin`, offset: target.chipFamily === 'ESP32' || target.chipFamily === 'ESP32-S2' ? 0x1000 : 0x0 },
            { path: 'partition-table.bin', offset: 0x8000 },
            { path: `${chip}/${spec.project}.bin`, offset: 0x10000 },
          ],
        },
      };
    }),
    files,
  });
  const zip = new JSZip();
  zip.file('fieldflash.json', manifest, { createFolders: false });
  for (const f of files) zip.file(f.path, f.data, { createFolders: false, binary: true });
  return {
    product: spec.product,
    version,
    chipFamilies: spec.targets.map((t) => t.chipFamily),
    boards: spec.targets.map((t) => t.board),
    zipName: `${spec.project}-${version}.zip`,
    zip: await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } }),
  };
}

/** Every release of the shelf, interleaved across products, as a technician collects them over months. */
export async function shelfReleases(shelf: readonly ShelfProduct[] = SHELF): Promise<ShelfRelease[]> {
  const out: ShelfRelease[] = [];
  const longest = Math.max(...shelf.map((p) => p.versions.length));
  let seed = 1;
  for (let round = 0; round < longest; round++) {
    for (const spec of shelf) {
      const version = spec.versions[round];
      if (version) out.push(await shelfRelease(spec, version, seed++));
    }
  }
  return out;
}
