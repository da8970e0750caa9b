// What the first-stage ROM prints after a reset, per family.
import type { ChipName } from '../registers/chips.ts';

export type ResetCause = 'power-on' | 'software-cpu' | 'software-system' | 'watchdog' | 'usb-uart' | 'brownout' | 'timer-group-watchdog';

interface RomFacts {
  /** Lines before "rst:" (build date). */
  header: string;
  resetText: Record<ResetCause, string>;
  spiBoot: string;
  downloadBoot: string;
  /** ESP32 prints a blank line and the SPI drive settings; later ROMs are terser. */
  flashPreamble: string;
  clockDivider: (speedMhz: number) => number;
  /** Later ROMs print lengths in hex. */
  hexLengths: boolean;
}

const ROMS: Record<ChipName, RomFacts> = {
  esp32: {
    header: 'ets Jun  8 2016 00:22:57\r\n\r\n',
    resetText: {
      'power-on': '0x1 (POWERON_RESET)',
      'software-cpu': '0xc (SW_CPU_RESET)',
      'software-system': '0x3 (SW_RESET)',
      watchdog: '0x10 (RTCWDT_RTC_RESET)',
      'usb-uart': '0x1 (POWERON_RESET)',
      brownout: '0xf (BROWNOUT_RST)',
      'timer-group-watchdog': '0x7 (TG0WDT_SYS_RESET)',
    },
    spiBoot: '0x13 (SPI_FAST_FLASH_BOOT)',
    downloadBoot: '0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))',
    flashPreamble: 'configsip: 0, SPIWP:0xee\r\nclk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\n',
    clockDivider: (mhz) => (mhz >= 80 ? 1 : 2),
    hexLengths: false,
  },
  esp32s3: {
    header: 'ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\n',
    resetText: {
      'power-on': '0x1 (POWERON)',
      'software-cpu': '0xc (RTC_SW_CPU_RST)',
      'software-system': '0x3 (RTC_SW_SYS_RST)',
      watchdog: '0x10 (RTCWDT_RTC_RST)',
      'usb-uart': '0x15 (USB_UART_CHIP_RESET)',
      brownout: '0xf (RTC_BROWN_OUT_RST)',
      'timer-group-watchdog': '0x7 (TG0WDT_SYS_RST)',
    },
    spiBoot: '0x8 (SPI_FAST_FLASH_BOOT)',
    downloadBoot: '0x0 (DOWNLOAD(USB/UART0))',
    flashPreamble: 'SPIWP:0xee\r\n',
    clockDivider: () => 1,
    hexLengths: true,
  },
  esp32c3: {
    header: 'ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n',
    resetText: {
      'power-on': '0x1 (POWERON)',
      'software-cpu': '0xc (RTC_SW_CPU_RST)',
      'software-system': '0x3 (RTC_SW_SYS_RST)',
      watchdog: '0x10 (RTCWDT_RTC_RST)',
      'usb-uart': '0x15 (USB_UART_CHIP_RESET)',
      brownout: '0xf (RTC_BROWN_OUT_RST)',
      'timer-group-watchdog': '0x7 (TG0WDT_SYS_RST)',
    },
    spiBoot: '0xc (SPI_FAST_FLASH_BOOT)',
    downloadBoot: '0x5 (DOWNLOAD(USB/UART1))',
    flashPreamble: 'SPIWP:0xee\r\n',
    clockDivider: () => 1,
    hexLengths: true,
  },
};

export function downloadBanner(chip: ChipName, cause: ResetCause): string {
  const rom = ROMS[chip];
  return `${rom.header}rst:${rom.resetText[cause]},boot:${rom.downloadBoot}\r\nwaiting for download\r\n`;
}

export function spiBootBanner(chip: ChipName, cause: ResetCause): string {
  const rom = ROMS[chip];
  return `${rom.header}rst:${rom.resetText[cause]},boot:${rom.spiBoot}\r\n`;
}

export interface LoadedSegment {
  loadAddress: number;
  length: number;
}

/** The ROM's account of loading the 2nd-stage bootloader into RAM. */
export function bootloaderLoadLines(chip: ChipName, mode: string, speedMhz: number, segments: LoadedSegment[], entry: number): string {
  const rom = ROMS[chip];
  let text = `${rom.flashPreamble}mode:${mode.toUpperCase()}, clock div:${rom.clockDivider(speedMhz)}\r\n`;
  for (const s of segments) {
    const len = rom.hexLengths ? `0x${s.length.toString(16)}` : String(s.length);
    text += `load:0x${hex8(s.loadAddress)},len:${len}\r\n`;
  }
  return `${text}entry 0x${hex8(entry)}\r\n`;
}

export function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
