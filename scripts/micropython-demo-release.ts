// The MicroPython demo release: an ESP32 image whose esp_app_desc_t names the project "micropython", version
// v1.27.0, with MicroPython's ESP32_GENERIC partition layout (a 2 MiB "vfs" partition for the filesystem). It is
// not MicroPython's firmware: the simulated ESP32 recognises the project name and runs the real interpreter (the
// WebAssembly port) behind its console instead. Same bytes on every run.
import { pseudoRandomBytes, writeAppImage, writeBootloaderImage, writePartitionTable, type SigningKey } from '../packages/bundle/src/index.ts';
import { packRelease } from '../packages/release/src/pack-release.ts';

export const MICROPYTHON_DEMO_PRODUCT = 'MicroPython Demo';
export const MICROPYTHON_DEMO_VERSION = '1.27.0';
export const MICROPYTHON_DEMO_ZIP_NAME = `micropython-demo-${MICROPYTHON_DEMO_VERSION}.zip`;
/** Where the board keeps its filesystem, as in MicroPython's partitions-4MiB.csv. */
export const MICROPYTHON_VFS = { offset: 0x200000, size: 0x200000 };

const BUILD = { date: 'Dec 10 2025', time: '12:00:00', idfVersion: 'v5.4.2' };

async function files() {
  return [
    {
      path: 'bootloader.bin',
      data: await writeBootloaderImage({ chipFamily: 'ESP32', flashSizeMiB: 4, idfVersion: BUILD.idfVersion, dateTime: `${BUILD.date} ${BUILD.time}` }),
      role: 'bootloader' as const,
    },
    {
      path: 'partition-table.bin',
      data: writePartitionTable([
        { label: 'nvs', type: 'data', subtype: 'nvs', offset: 0x9000, size: 0x6000 },
        { label: 'phy_init', type: 'data', subtype: 'phy', offset: 0xf000, size: 0x1000 },
        { label: 'factory', type: 'app', subtype: 'factory', offset: 0x10000, size: 0x1f0000 },
        { label: 'vfs', type: 'data', subtype: 'fat', ...MICROPYTHON_VFS },
      ]),
      role: 'partition-table' as const,
    },
    {
      path: 'micropython.bin',
      data: await writeAppImage({
        chipFamily: 'ESP32',
        projectName: 'micropython',
        version: `v${MICROPYTHON_DEMO_VERSION}`,
        secureVersion: 0,
        flashSizeMiB: 4,
        payload: pseudoRandomBytes(96 * 1024, 0x1270),
        ...BUILD,
      }),
      role: 'app' as const,
    },
  ];
}

export async function buildMicroPythonDemoRelease(key?: SigningKey): Promise<{ name: string; zip: Uint8Array; id: string }> {
  const parts = await files();
  const { release, zip } = await packRelease({
    product: MICROPYTHON_DEMO_PRODUCT,
    version: MICROPYTHON_DEMO_VERSION,
    sequence: 1,
    securityVersion: 0,
    releaseNotes: 'MicroPython for the simulated ESP32: boots to a real MicroPython REPL for trying installs over USB.',
    targets: [
      {
        chipFamily: 'ESP32',
        board: 'esp32-generic',
        flash: {
          erase: 'all',
          flashSize: '4MB',
          flashMode: 'dio',
          flashFreq: '40m',
          parts: [
            { path: 'bootloader.bin', offset: 0x1000 },
            { path: 'partition-table.bin', offset: 0x8000 },
            { path: 'micropython.bin', offset: 0x10000 },
          ],
        },
      },
    ],
    files: parts,
  }, MICROPYTHON_DEMO_ZIP_NAME, key);
  return { name: MICROPYTHON_DEMO_ZIP_NAME, zip, id: release.id };
}
