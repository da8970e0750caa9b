// Who each emulated chip is. Addresses and ids come from esptool-js's own target classes so the flasher and
// the emulator agree on facts; the register *values* (eFuse words, magic, dates) are those of a typical part.
import { ESP32ROM } from 'esptool-js/lib/targets/esp32.js';
import { ESP32S3ROM } from 'esptool-js/lib/targets/esp32s3.js';
import { ESP32C3ROM } from 'esptool-js/lib/targets/esp32c3.js';

export const CHIP_NAMES = ['esp32', 'esp32s3', 'esp32c3'] as const;
export type ChipName = (typeof CHIP_NAMES)[number];

/** The ROM reads the chip-detect magic here on every family. */
export const CHIP_DETECT_MAGIC_REG = 0x40001000;
export const XTAL_HZ = 40_000_000;

export interface SpiRegisters {
  base: number;
  usr: number;
  usr1: number;
  usr2: number;
  w0: number;
  mosiDlen: number;
  misoDlen: number;
}

export interface ChipIdentity {
  name: ChipName;
  /** As esptool prints it ("ESP32-S3"). */
  family: string;
  /** esp_chip_id_t, byte 12 of an image header and the chip id in GET_SECURITY_INFO. */
  imageChipId: number;
  /** CHIP_DETECT_MAGIC_VALUE (esptool-js keeps these only inside its magic-to-chip switch). */
  magicValue: number;
  bootloaderOffset: number;
  uartClkdivReg: number;
  /** UARTDEV_BUF_NO: the ROM variable saying which port the loader talks on (S3/C3). */
  uartDevBufNo?: { address: number; usbSerialJtag: number };
  spi: SpiRegisters;
  /** ESP32 (and ESP8266) ROMs do not know GET_SECURITY_INFO. */
  romHasSecurityInfo: boolean;
  /** Registers with fixed contents: eFuses, magic, dates. */
  fixedRegisters(mac: Uint8Array): Map<number, number>;
  defaultMac: string;
  /** Silicon revision as ESP-IDF prints it ("v3.0"). */
  revision: string;
  /** The part esptool should report, for documentation and tests. */
  description: string;
}

const esp32 = new ESP32ROM();
const esp32s3 = new ESP32S3ROM();
const esp32c3 = new ESP32C3ROM();

function spiOf(rom: ESP32ROM): SpiRegisters {
  return {
    base: rom.SPI_REG_BASE,
    usr: rom.SPI_USR_OFFS,
    usr1: rom.SPI_USR1_OFFS,
    usr2: rom.SPI_USR2_OFFS,
    w0: rom.SPI_W0_OFFS,
    mosiDlen: rom.SPI_MOSI_DLEN_OFFS,
    misoDlen: rom.SPI_MISO_DLEN_OFFS,
  };
}

/** MAC words as every family stores them: low word = bytes 2..5, high half-word = bytes 0..1. */
function macWords(mac: Uint8Array): [number, number] {
  const low = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
  const high = (mac[0]! << 8) | mac[1]!;
  return [low, high];
}

export const CHIPS: Readonly<Record<ChipName, ChipIdentity>> = {
  esp32: {
    name: 'esp32',
    family: esp32.CHIP_NAME,
    imageChipId: esp32.IMAGE_CHIP_ID,
    magicValue: 0x00f01d83,
    bootloaderOffset: esp32.BOOTLOADER_FLASH_OFFSET,
    uartClkdivReg: esp32.UART_CLKDIV_REG,
    spi: spiOf(esp32),
    romHasSecurityInfo: false,
    defaultMac: '24:0a:c4:f0:10:32',
    revision: 'v3.0',
    description: 'ESP32-D0WD-V3 (revision 3), Wi-Fi, BT, Dual Core, 240MHz, VRef calibration in efuse, Coding Scheme None',
    fixedRegisters(mac) {
      const [low, high] = macWords(mac);
      const efuse = esp32.EFUSE_RD_REG_BASE;
      return new Map([
        [CHIP_DETECT_MAGIC_REG, 0x00f01d83],
        [efuse + 0, 0],
        [efuse + 4, low],
        // Bits 23:16 hold the MAC CRC8; no host tool checks it, so it stays 0.
        [efuse + 8, high],
        // Package D0WD (bits 11:9 = 1), CPU rated 240 MHz (bit 13), revision bit 0 (bit 15).
        [efuse + 12, 0x0000a200],
        // ADC VRef trim present (bits 12:8).
        [efuse + 16, 0x00000531],
        // Revision bit 1 (bit 20).
        [efuse + 20, 0x00100000],
        // Coding scheme None.
        [efuse + 24, 0],
        // APB_CTL_DATE with bit 31 set: an ECO3 (revision 3) die.
        [esp32.DR_REG_SYSCON_BASE + 0x7c, 0x96042000],
      ]);
    },
  },
  esp32s3: {
    name: 'esp32s3',
    family: esp32s3.CHIP_NAME,
    imageChipId: esp32s3.IMAGE_CHIP_ID,
    magicValue: 0x00000009,
    bootloaderOffset: esp32s3.BOOTLOADER_FLASH_OFFSET,
    uartClkdivReg: esp32s3.UART_CLKDIV_REG,
    uartDevBufNo: { address: esp32s3.UARTDEV_BUF_NO, usbSerialJtag: 4 },
    spi: spiOf(esp32s3),
    romHasSecurityInfo: true,
    defaultMac: '34:85:18:f0:10:32',
    revision: 'v0.2',
    description: 'ESP32-S3 (QFN56) (revision v0.2), Wi-Fi, BLE',
    fixedRegisters(mac) {
      const [low, high] = macWords(mac);
      const block1 = esp32s3.EFUSE_BLOCK1_ADDR;
      return new Map([
        [CHIP_DETECT_MAGIC_REG, 0x00000009],
        [esp32s3.MAC_EFUSE_REG, low],
        [esp32s3.MAC_EFUSE_REG + 4, high],
        // Package QFN56 (bits 23:21 = 0), minor revision 2 (bits 20:18), block minor version 2 (bits 26:24), no embedded flash.
        [block1 + 12, (2 << 24) | (2 << 18)],
        [block1 + 16, 0],
        // Major revision 0 (bits 25:24).
        [block1 + 20, 0],
        // Block 2 major version 1.
        [esp32s3.EFUSE_BLOCK2_ADDR + 16, 1],
      ]);
    },
  },
  esp32c3: {
    name: 'esp32c3',
    family: esp32c3.CHIP_NAME,
    imageChipId: esp32c3.IMAGE_CHIP_ID,
    // ECO3 (revision v0.3).
    magicValue: 0x1b31506f,
    bootloaderOffset: esp32c3.BOOTLOADER_FLASH_OFFSET,
    uartClkdivReg: esp32c3.UART_CLKDIV_REG,
    uartDevBufNo: { address: 0x3fcdf07c, usbSerialJtag: 3 },
    spi: spiOf(esp32c3),
    romHasSecurityInfo: true,
    defaultMac: '58:cf:79:f0:10:32',
    revision: 'v0.3',
    description: 'ESP32-C3 (QFN32) (revision v0.3), Wi-Fi, BLE',
    fixedRegisters(mac) {
      const [low, high] = macWords(mac);
      const block1 = esp32c3.EFUSE_BASE + 0x44;
      return new Map([
        [CHIP_DETECT_MAGIC_REG, 0x1b31506f],
        [esp32c3.MAC_EFUSE_REG, low],
        [esp32c3.MAC_EFUSE_REG + 4, high],
        // Package QFN32, minor revision 3 (bits 20:18), no embedded flash.
        [block1 + 12, 3 << 18],
        [block1 + 16, 0],
        [block1 + 20, 0],
      ]);
    },
  },
};

export function parseMac(text: string): Uint8Array {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new TypeError(`MAC address must look like 24:0a:c4:12:34:56, got "${text}"`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

export function isChipName(value: string): value is ChipName {
  return (CHIP_NAMES as readonly string[]).includes(value);
}

/** GET_SECURITY_INFO payload (S3 and later): flags, flash_crypt_cnt, 7 key purposes, chip id, API version. */
export function securityInfo(chip: ChipIdentity): Uint8Array {
  const info = new Uint8Array(20);
  const view = new DataView(info.buffer);
  view.setUint32(12, chip.imageChipId, true);
  return info;
}
