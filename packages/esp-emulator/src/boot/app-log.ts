// The first lines a freshly started ESP-IDF application prints (cpu_start, heap_init, spi_flash, main_task),
// with its identity read from the esp_app_desc_t in the flashed image.
import type { EspImageInfo } from '@fieldflash/bundle';
import type { ChipIdentity } from '../registers/chips.ts';
import type { IdfLog } from './idf-log.ts';

export interface AppStart {
  chip: ChipIdentity;
  info: EspImageInfo;
  revisions: { min: string; max: string };
  chipRevision: string;
  /** Size of the flash chip actually fitted. */
  flashSize: number;
}

const HEAP_REGIONS: Record<string, string[]> = {
  esp32: [
    'At 3FFAE6E0 len 00001920 (6 KiB): DRAM',
    'At 3FFB8D70 len 00027290 (156 KiB): DRAM',
    'At 3FFE0440 len 00003AE0 (14 KiB): D/IRAM',
    'At 3FFE4350 len 0001BCB0 (111 KiB): D/IRAM',
    'At 4009399C len 0000C664 (49 KiB): IRAM',
  ],
  esp32s3: ['At 3FC9A8B8 len 0004EE58 (315 KiB): DRAM', 'At 3FCE9710 len 00005724 (21 KiB): STACK/DRAM', 'At 600FE010 len 00001FD8 (7 KiB): RTCRAM'],
  esp32c3: ['At 3FC8E9D0 len 00031630 (197 KiB): DRAM', 'At 3FCC0000 len 0001C710 (113 KiB): DRAM/RETENTION'],
};

/** Returns false when the app aborts during start-up (the caller reboots the chip). */
export function appStartLog(log: IdfLog, start: AppStart): boolean {
  const { chip, info } = start;
  const app = info.app;
  const dualCore = chip.name !== 'esp32c3';
  if (dualCore) {
    log.line('I', 'cpu_start', 'Multicore app');
    log.line('I', 'cpu_start', 'Pro cpu up.');
    log.line('I', 'cpu_start', `Starting app cpu, entry point is 0x${(info.entryAddress + 0x300).toString(16)}`, 0);
    const pro = log.ms;
    log.ms = 0;
    log.line('I', 'cpu_start', 'App cpu up.', 0);
    log.ms = pro + 18;
    log.line('I', 'cpu_start', 'Pro cpu start user code', 0);
  } else {
    log.line('I', 'cpu_start', 'Unicore app');
    log.line('I', 'cpu_start', 'Pro cpu start user code', 0);
  }
  log.line('I', 'cpu_start', "cpu freq: 160000000 Hz", 0);
  log.line('I', 'cpu_start', 'Application information:');
  log.line('I', 'cpu_start', `Project name:     ${app?.projectName ?? ''}`);
  log.line('I', 'cpu_start', `App version:      ${app?.version ?? ''}`);
  log.line('I', 'cpu_start', `Compile time:     ${app ? `${app.date} ${app.time}` : ''}`);
  log.line('I', 'cpu_start', `ELF file SHA256:  ${app?.elfSha256 ?? ''}...`);
  log.line('I', 'cpu_start', `ESP-IDF:          ${app?.idfVersion ?? ''}`);
  log.line('I', 'cpu_start', `Min chip rev:     ${start.revisions.min}`);
  log.line('I', 'cpu_start', `Max chip rev:     ${start.revisions.max} `);
  log.line('I', 'cpu_start', `Chip rev:         ${start.chipRevision}`);
  log.line('I', 'heap_init', 'Initializing. RAM available for dynamic allocation:');
  for (const region of HEAP_REGIONS[chip.name] ?? []) log.line('I', 'heap_init', region);
  log.line('I', 'spi_flash', 'detected chip: winbond');
  log.line('I', 'spi_flash', `flash io: ${info.flashMode}`);
  const headerSize = info.flashSize;
  if (headerSize !== undefined && headerSize > start.flashSize) {
    // esp_flash_init refuses a header promising more flash than the chip has; startup asserts.
    log.line('E', 'spi_flash', `Detected size(${start.flashSize / 1024}k) smaller than the size in the binary image header(${headerSize / 1024}k). Probe failed.`);
    log.raw('\r\nassert failed: do_core_init startup.c:328 (flash_ret == ESP_OK)\r\n\r\n\r\n');
    log.raw('Backtrace: 0x40081a2a:0x3ffe3b60 0x4008a5a5:0x3ffe3b80 0x400903e1:0x3ffe3ba0 0x400d2d1b:0x3ffe3c70\r\n\r\n\r\n');
    log.raw(`\r\n\r\nELF file SHA256: ${app?.elfSha256 ?? ''}\r\n\r\nRebooting...\r\n`);
    return false;
  }
  if (headerSize !== undefined && headerSize < start.flashSize) {
    log.line('W', 'spi_flash', `Detected size(${start.flashSize / 1024}k) larger than the size in the binary image header(${headerSize / 1024}k). Using the size in the binary image header.`);
  }
  log.line('I', 'app_start', 'Starting scheduler on CPU0');
  if (dualCore) log.line('I', 'app_start', 'Starting scheduler on CPU1', 0);
  log.line('I', 'main_task', 'Started on CPU0', 10);
  log.line('I', 'main_task', 'Calling app_main()');
  return true;
}
