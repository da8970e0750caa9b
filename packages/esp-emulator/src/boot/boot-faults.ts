// Ways an app fails after it has started, on demand: what the chip prints and how it resets. And a board that
// prints nothing at all. Each is what a real board shows in that case, so FieldFlash's boot verdicts can be
// tested one by one.
import type { EspImageInfo } from '@fieldflash/bundle';
import type { ChipIdentity } from '../registers/chips.ts';
import type { ResetCause } from './rom-banner.ts';

export const BOOT_FAULTS = ['panic', 'abort', 'brownout', 'boot-loop', 'silent'] as const;

/**
 * 'panic': the app dereferences NULL (Guru Meditation Error) and reboots. 'abort': it calls abort().
 * 'brownout': the supply sags when the radio starts. 'boot-loop': a watchdog resets it, silently, every time.
 * 'silent': nothing fails, but nothing is printed while it boots from flash: a production build with the ROM's boot
 * messages off (GPIO15 strapped low on the ESP32, the eFuse ESP-IDF's BOOT_ROM_LOG_ALWAYS_OFF burns on the S3 and
 * C3), the bootloader's log level at None and the app's console at None. The app starts and runs.
 */
export type BootFault = (typeof BOOT_FAULTS)[number];

export function isBootFault(value: unknown): value is BootFault {
  return typeof value === 'string' && (BOOT_FAULTS as readonly string[]).includes(value);
}

export interface FaultAfterStart {
  /** How long the app runs before it fails. */
  afterMs: number;
  text: string;
  cause: ResetCause;
  /** Delay between the text and the reset. */
  resetAfterMs: number;
}

/** The faults that make a started app fail (a silent board runs its app). */
export type AppFailure = Exclude<BootFault, 'silent'>;

export function faultAfterStart(fault: AppFailure, chip: ChipIdentity, info: EspImageInfo): FaultAfterStart {
  const elf = info.app?.elfSha256 ?? '0000000000000000';
  const riscv = chip.name === 'esp32c3';
  const reboot = `\r\n\r\nELF file SHA256: ${elf}\r\n\r\nRebooting...\r\n`;
  switch (fault) {
    case 'panic': {
      const dump = riscv
        ? "Guru Meditation Error: Core  0 panic'ed (Load access fault). Exception was unhandled.\r\n\r\nCore  0 register dump:\r\n" +
          'MEPC    : 0x4200a1e4  RA      : 0x4200a1d8  SP      : 0x3fc8f0c0  GP      : 0x3fc8b400  \r\n' +
          'MSTATUS : 0x00001881  MTVEC   : 0x40380001  MCAUSE  : 0x00000005  MTVAL   : 0x00000000  \r\n'
        : "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.\r\n\r\nCore  0 register dump:\r\n" +
          'PC      : 0x400d5e2d  PS      : 0x00060c30  A0      : 0x800d9fd6  A1      : 0x3ffb4d50  \r\n' +
          'EXCVADDR: 0x00000000  LBEG    : 0x400014fd  LEND    : 0x4000150d  LCOUNT  : 0xffffffff  \r\n\r\n\r\n' +
          'Backtrace: 0x400d5e2a:0x3ffb4d50 0x400d9fd3:0x3ffb4d70 0x4008a1f1:0x3ffb4da0\r\n';
      return { afterMs: 120, text: `${dump}${reboot}`, cause: 'software-cpu', resetAfterMs: 30 };
    }
    case 'abort': {
      const pc = riscv ? '0x40385c3e' : '0x400d2a3b';
      const backtrace = riscv ? 'Stack memory:\r\n3fc8f0c0: 0x00000000 0x00000000 0x3fc8f0f4 0x4200a1e8\r\n' : 'Backtrace: 0x40081a2a:0x3ffb4d40 0x4008a4f5:0x3ffb4d60 0x400d2a3b:0x3ffb4d80\r\n';
      return { afterMs: 120, text: `\r\nabort() was called at PC ${pc} on core 0\r\n\r\n\r\n${backtrace}${reboot}`, cause: 'software-cpu', resetAfterMs: 30 };
    }
    case 'brownout':
      return { afterMs: 200, text: '\r\nBrownout detector was triggered\r\n\r\n', cause: 'brownout', resetAfterMs: 5 };
    case 'boot-loop':
      return { afterMs: 300, text: '', cause: 'timer-group-watchdog', resetAfterMs: 0 };
  }
}
