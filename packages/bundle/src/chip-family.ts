// Chip families as ESP Web Tools and esptool name them, with the chip id an ESP image header carries.

export const CHIP_FAMILIES = [
  'ESP8266',
  'ESP32',
  'ESP32-S2',
  'ESP32-S3',
  'ESP32-C2',
  'ESP32-C3',
  'ESP32-C5',
  'ESP32-C6',
  'ESP32-C61',
  'ESP32-H2',
  'ESP32-P4',
] as const;

export type ChipFamily = (typeof CHIP_FAMILIES)[number];

/** The chip id at byte 12 of an ESP image header (esp_chip_id_t). ESP8266 images have no such field. */
export const IMAGE_CHIP_ID: Readonly<Record<Exclude<ChipFamily, 'ESP8266'>, number>> = {
  ESP32: 0,
  'ESP32-S2': 2,
  'ESP32-C3': 5,
  'ESP32-S3': 9,
  'ESP32-C2': 12,
  'ESP32-C6': 13,
  'ESP32-H2': 16,
  'ESP32-P4': 18,
  'ESP32-C5': 23,
  'ESP32-C61': 20,
};

/** Offset of the second-stage bootloader in flash for each family. */
export function bootloaderOffset(family: ChipFamily): number {
  return family === 'ESP32' || family === 'ESP32-S2' ? 0x1000 : family === 'ESP32-P4' || family === 'ESP32-C5' ? 0x2000 : 0x0;
}

export function chipFamilyForImageChipId(id: number): ChipFamily | undefined {
  for (const [family, chipId] of Object.entries(IMAGE_CHIP_ID)) if (chipId === id) return family as ChipFamily;
  return undefined;
}

/**
 * Reads the spellings people use: "ESP32-S3", "ESP32S3", "esp32s3", "esp32-s3", "ESP32 S3", "ESP32_S3".
 * Returns undefined for anything that is not a known family.
 */
export function parseChipFamily(raw: string): ChipFamily | undefined {
  const key = raw.trim().toUpperCase().replace(/[\s_-]+/g, '');
  for (const family of CHIP_FAMILIES) if (family.replace(/-/g, '') === key) return family;
  return undefined;
}
