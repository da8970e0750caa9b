// What the board says about itself on connect, read through esptool-js's chip targets.
import { parseChipFamily, type ChipFamily } from '@fieldflash/bundle';
import type { ESPLoader } from 'esptool-js';

export interface DeviceIdentity {
  /** Undefined for a chip FieldFlash has no releases for (esptool-js knows more chips than the bundle model). */
  chipFamily: ChipFamily | undefined;
  /** esptool-js's chip name, e.g. "ESP32-S3". */
  chipName: string;
  /** Package and variant, e.g. "ESP32-D0WD-V3". */
  model: string;
  /** As the chip reports it, e.g. "3" (ESP32) or "v0.2". */
  revision: string;
  /** "aa:bb:cc:dd:ee:ff". */
  mac: string;
  /** Detected from the SPI flash id; undefined when the flash did not answer. */
  flashSize: number | undefined;
  crystalMHz: number;
  features: string[];
  /** Where this chip's ROM looks for the second-stage bootloader. */
  bootloaderOffset: number;
}

const SIZE_PATTERN = /^(\d+)(KB|MB)$/;

/** "4MB" -> 4194304, as esptool-js names detected flash sizes. */
export function flashSizeBytes(name: string | undefined): number | undefined {
  const match = name ? SIZE_PATTERN.exec(name) : null;
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'KB' ? 1024 : 1024 * 1024);
}

/** "4 MB", "512 KB". */
export function formatFlashSize(bytes: number | undefined): string {
  if (bytes === undefined) return 'unknown';
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
}

/** Reads the chip's description, features, crystal and MAC (ROM or stub; register reads work in both). */
export async function readChipIdentity(loader: ESPLoader): Promise<Omit<DeviceIdentity, 'flashSize'>> {
  const chip = loader.chip;
  const description = await chip.getChipDescription(loader);
  // esptool-js words it "ESP32-D0WD-V3 (revision 3)" or "ESP32-S3 (QFN56) (revision v0.2)".
  const revisionMatch = /\s*\(revision ([^)]+)\)\s*$/.exec(description);
  const model = revisionMatch ? description.slice(0, revisionMatch.index) : description;
  const features = (await chip.getChipFeatures(loader)).map((f) => f.trim()).filter(Boolean);
  const crystalMHz = await chip.getCrystalFreq(loader);
  const mac = await chip.readMac(loader);
  return {
    chipFamily: parseChipFamily(chip.CHIP_NAME),
    chipName: chip.CHIP_NAME,
    model,
    revision: revisionMatch?.[1] ?? 'unknown',
    mac,
    crystalMHz,
    features,
    bootloaderOffset: chip.BOOTLOADER_FLASH_OFFSET,
  };
}
