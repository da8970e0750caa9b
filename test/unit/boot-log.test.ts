// The boot-log reader on logs as ESP-IDF 4.x and 5.x boards print them, good starts and each way of failing.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { readBootLog } from '../../src/serial/boot-log.ts';
import { describeBootVerdict, type BootContext } from '../../src/serial/boot-verdict.ts';
import { BootWatch } from '../../src/serial/boot-watch.ts';

const ESP32_ROM = `ets Jun  8 2016 00:22:57

rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)
configsip: 0, SPIWP:0xee
clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00
mode:DIO, clock div:2
load:0x3fff0030,len:6612
load:0x40078000,len:14788
load:0x40080400,len:3792
entry 0x40080694
`;

/** ESP-IDF 4.4 on an ESP32: cpu_start prints the application information. */
const IDF4_BOOT = `${ESP32_ROM}I (27) boot: ESP-IDF v4.4.4 2nd stage bootloader
I (27) boot: compile time 10:14:10
I (27) boot: chip revision: 3
I (30) boot_comm: chip revision: 3, min. bootloader chip revision: 0
I (37) boot.esp32: SPI Speed      : 40MHz
I (42) boot.esp32: SPI Mode       : DIO
I (46) boot.esp32: SPI Flash Size : 4MB
I (51) boot: Enabling RNG early entropy source...
I (56) boot: Partition Table:
I (60) boot: ## Label            Usage          Type ST Offset   Length
I (67) boot:  0 nvs              WiFi data        01 02 00009000 00006000
I (75) boot:  1 phy_init         RF data          01 01 0000f000 00001000
I (82) boot:  2 factory          factory app      00 00 00010000 00100000
I (90) boot: End of partition table
I (94) boot_comm: chip revision: 3, min. application chip revision: 0
I (101) esp_image: segment 0: paddr=00010020 vaddr=3f400020 size=0a1f8h ( 41464) map
I (125) esp_image: segment 1: paddr=00020220 vaddr=3ffb0000 size=02390h (  9104) load
I (176) boot: Loaded app from partition at offset 0x10000
I (176) boot: Disabling RNG early entropy source...
I (188) cpu_start: Pro cpu up.
I (189) cpu_start: Starting app cpu, entry point is 0x40081104
I (0) cpu_start: App cpu up.
I (203) cpu_start: Pro cpu start user code
I (203) cpu_start: cpu freq: 160000000
I (203) cpu_start: Application information:
I (208) cpu_start: Project name:     hello-world
I (213) cpu_start: App version:      v4.4.4-12-gabcdef0
I (218) cpu_start: Compile time:     Mar 10 2023 10:14:02
I (224) cpu_start: ELF file SHA256:  9ec0a6ec3a4d1c7b...
I (230) cpu_start: ESP-IDF:          v4.4.4
I (235) heap_init: Initializing. RAM available for dynamic allocation:
I (242) heap_init: At 3FFAE6E0 len 00001920 (6 KiB): DRAM
I (273) spi_flash: detected chip: generic
I (277) spi_flash: flash io: dio
I (282) cpu_start: Starting scheduler on PRO CPU.
I (0) cpu_start: Starting scheduler on APP CPU.
Hello world!
`;

const C3_ROM = `ESP-ROM:esp32c3-api1-20210207
Build:Feb  7 2021
rst:0x15 (USB_UART_CHIP_RESET),boot:0xc (SPI_FAST_FLASH_BOOT)
`;

const G = '\x1b[0;32m';
const R = '\x1b[0;31m';
const OFF = '\x1b[0m';

/** ESP-IDF 5.3 on an ESP32-C3, colours on: app_init prints the application information. */
const IDF5_BOOT = `${C3_ROM}SPIWP:0xee
mode:DIO, clock div:1
load:0x3fcd5820,len:0x1714
load:0x403cc710,len:0x968
load:0x403ce710,len:0x2f9c
entry 0x403cc71a
${G}I (30) boot: ESP-IDF v5.3.1 2nd stage bootloader${OFF}
${G}I (31) boot: compile time Oct 15 2024 10:00:00${OFF}
${G}I (118) boot: Loaded app from partition at offset 0x10000${OFF}
${G}I (121) boot: Disabling RNG early entropy source...${OFF}
${G}I (137) cpu_start: Unicore app${OFF}
${G}I (146) cpu_start: Pro cpu start user code${OFF}
${G}I (146) cpu_start: cpu freq: 160000000 Hz${OFF}
${G}I (146) app_init: Application information:${OFF}
${G}I (149) app_init: Project name:     blink${OFF}
${G}I (153) app_init: App version:      1.2.0${OFF}
${G}I (158) app_init: Compile time:     Oct 15 2024 10:00:00${OFF}
${G}I (164) app_init: ELF file SHA256:  3c7e1f0a2b9d4e11...${OFF}
${G}I (169) app_init: ESP-IDF:          v5.3.1${OFF}
${G}I (174) efuse_init: Min chip rev:     v0.3${OFF}
${G}I (270) main_task: Started on CPU0${OFF}
${G}I (280) main_task: Calling app_main()${OFF}
`;

const PANIC_TAIL = `Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.

Core  0 register dump:
PC      : 0x400d5e2d  PS      : 0x00060c30  A0      : 0x800d9fd6  A1      : 0x3ffb4d50
EXCVADDR: 0x00000000  LBEG    : 0x400014fd  LEND    : 0x4000150d  LCOUNT  : 0xffffffff


Backtrace: 0x400d5e2a:0x3ffb4d50 0x400d9fd3:0x3ffb4d70 0x4008a1f1:0x3ffb4da0




ELF file SHA256: 9ec0a6ec3a4d1c7b

Rebooting...
ets Jun  8 2016 00:22:57

rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)
`;

describe('booted', () => {
  test('ESP-IDF 4.x: project and version from cpu_start', () => {
    const reading = readBootLog(IDF4_BOOT);
    expect(reading.verdict).toEqual({ kind: 'booted', app: { projectName: 'hello-world', version: 'v4.4.4-12-gabcdef0', idfVersion: 'v4.4.4' } });
    // The app might still crash: a start is never final on its own.
    expect(reading.decisive).toBe(false);
  });

  test('ESP-IDF 5.x: project and version from app_init, colour codes and all', () => {
    expect(readBootLog(IDF5_BOOT).verdict).toEqual({ kind: 'booted', app: { projectName: 'blink', version: '1.2.0', idfVersion: 'v5.3.1' } });
  });

  test('lines split across chunks read the same once whole', () => {
    const cut = IDF5_BOOT.indexOf('App version') + 5;
    expect(readBootLog(IDF5_BOOT.slice(0, cut)).verdict.kind).not.toBe('booted');
    expect(readBootLog(IDF5_BOOT).verdict.kind).toBe('booted');
  });

  test('the release written and the app running are compared', () => {
    const context: BootContext = { expected: { projectName: 'blink', version: '1.2.0' }, bootloaderOffset: 0, consoleBaud: 115200, watchedSeconds: 3 };
    const verdict = readBootLog(IDF5_BOOT).verdict;
    expect(describeBootVerdict(verdict, context)).toMatchObject({ outcome: 'booted', title: 'Booted: blink 1.2.0 is running.' });
    const other = describeBootVerdict(verdict, { ...context, expected: { projectName: 'blink', version: '1.3.0' } });
    expect(other.outcome).toBe('other-app');
    expect(other.title).toBe('Booted another app: the board runs blink 1.2.0, but the release holds blink 1.3.0.');
    expect(describeBootVerdict(verdict, { ...context, expected: undefined }).outcome).toBe('unchecked');
  });
});

describe('did not boot', () => {
  test('invalid header: no bootloader where the ROM looks (ESP32-C3, looping on the RTC watchdog)', () => {
    const loop = 'invalid header: 0xffffffff\n'.repeat(4);
    const text = `${C3_ROM}${loop}${loop}ESP-ROM:esp32c3-api1-20210207\nBuild:Feb  7 2021\nrst:0x10 (RTCWDT_RTC_RST),boot:0xc (SPI_FAST_FLASH_BOOT)\n${loop}`;
    const reading = readBootLog(text);
    expect(reading).toEqual({ verdict: { kind: 'invalid-header', word: '0xffffffff' }, decisive: true });
    const words = describeBootVerdict(reading.verdict, { expected: undefined, bootloaderOffset: 0, consoleBaud: 115200, watchedSeconds: 1 });
    expect(words.title).toBe('Did not boot: there is no bootloader at 0x00000, where this chip looks for one (the chip says "invalid header: 0xffffffff").');
    expect(words.outcome).toBe('failed');
  });

  test('a panic after the app started (ESP-IDF 5.x Guru Meditation), even though the app printed its name', () => {
    const text = IDF4_BOOT + PANIC_TAIL;
    expect(readBootLog(text)).toEqual({
      verdict: {
        kind: 'panic',
        detail: "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.",
        app: { projectName: 'hello-world', version: 'v4.4.4-12-gabcdef0', idfVersion: 'v4.4.4' },
      },
      decisive: true,
    });
  });

  test('RISC-V panics read the same', () => {
    const text = `${IDF5_BOOT}Guru Meditation Error: Core  0 panic'ed (Load access fault). Exception was unhandled.\n\nCore  0 register dump:\nMEPC    : 0x4200a1e4  RA      : 0x4200a1d8\n`;
    expect(readBootLog(text).verdict).toMatchObject({ kind: 'panic', detail: "Guru Meditation Error: Core  0 panic'ed (Load access fault). Exception was unhandled." });
  });

  test('ESP_ERROR_CHECK then abort() (ESP-IDF 4.x): the check that failed is the detail', () => {
    const text = `${IDF4_BOOT}ESP_ERROR_CHECK failed: esp_err_t 0x103 (ESP_ERR_INVALID_STATE) at 0x400d5c8b
file: "../main/main.c" line 27
func: app_main
expression: nvs_flash_init()

abort() was called at PC 0x40087d7f on core 0


Backtrace:0x40081b4e:0x3ffb4d40 0x4008a4f5:0x3ffb4d60
`;
    expect(readBootLog(text).verdict).toMatchObject({ kind: 'panic', detail: 'ESP_ERROR_CHECK failed: esp_err_t 0x103 (ESP_ERR_INVALID_STATE) at 0x400d5c8b' });
  });

  test('a bare abort(), an ESP-IDF 5.x assert and an ESP-IDF 4.x newlib assertion', () => {
    expect(readBootLog(`${IDF4_BOOT}\nabort() was called at PC 0x400d3c5f on core 0\n`).verdict).toMatchObject({ kind: 'panic', detail: 'abort() was called at PC 0x400d3c5f on core 0' });
    expect(readBootLog(`${IDF5_BOOT}\n\nassert failed: app_main main.c:12 (x == 1)\n`).verdict).toMatchObject({ kind: 'panic', detail: 'assert failed: app_main main.c:12 (x == 1)' });
    const newlib = `${IDF4_BOOT}assertion "x == 1" failed: file "../main/main.c", line 12, function: app_main\nabort() was called at PC 0x400d8c2f on core 0\n`;
    expect(readBootLog(newlib).verdict).toMatchObject({ kind: 'panic', detail: 'assertion "x == 1" failed: file "../main/main.c", line 12, function: app_main' });
  });

  test('a brownout', () => {
    const text = `${IDF4_BOOT}\r\nBrownout detector was triggered\r\n\r\nets Jun  8 2016 00:22:57\r\n\r\nrst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n`;
    const reading = readBootLog(text);
    expect(reading.verdict.kind).toBe('brownout');
    expect(reading.decisive).toBe(true);
    // Chips whose ROM names the cause on the next reset line count as well.
    expect(readBootLog(`${IDF5_BOOT}ESP-ROM:esp32c3-api1-20210207\nrst:0xf (RTC_BROWN_OUT_RST),boot:0xc (SPI_FAST_FLASH_BOOT)\n`).verdict.kind).toBe('brownout');
  });

  test('a boot loop: the app starts and resets, again and again, with no crash message', () => {
    const again = IDF4_BOOT.replace('rst:0x1 (POWERON_RESET)', 'rst:0x7 (TG0WDT_SYS_RESET)');
    expect(readBootLog(IDF4_BOOT + again).verdict.kind).toBe('booted');
    const reading = readBootLog(IDF4_BOOT + again + again);
    expect(reading.verdict).toMatchObject({ kind: 'boot-loop', resets: 2, app: { projectName: 'hello-world' } });
    expect(reading.decisive).toBe(true);
  });

  test('flash size in the header larger than the chip has (ESP-IDF 5.1 assert in do_core_init)', () => {
    const text = `${IDF4_BOOT.split('I (235) heap_init')[0]}I (273) spi_flash: detected chip: winbond
I (277) spi_flash: flash io: dio
${R}E (281) spi_flash: Detected size(4096k) smaller than the size in the binary image header(16384k). Probe failed.${OFF}

assert failed: do_core_init startup.c:328 (flash_ret == ESP_OK)
`;
    const reading = readBootLog(text);
    expect(reading.verdict).toEqual({ kind: 'flash-size', headerBytes: 16 * 1024 * 1024, chipBytes: 4 * 1024 * 1024 });
    const words = describeBootVerdict(reading.verdict, { expected: undefined, bootloaderOffset: 0x1000, consoleBaud: 115200, watchedSeconds: 1 });
    expect(words.title).toBe('Did not boot: the firmware is built for 16 MB of flash, but this board has 4 MB.');
  });

  test('a bootloader with no partition table, or no app to start', () => {
    const table = `${ESP32_ROM}I (27) boot: ESP-IDF v5.1 2nd stage bootloader\nE (52) flash_parts: partition 0 invalid magic number 0xffff\nE (58) boot: Failed to verify partition table\nE (63) boot: load partition table error!\n`;
    expect(readBootLog(table).verdict).toEqual({ kind: 'no-app', detail: 'Failed to verify partition table' });
    const none = `${ESP32_ROM}E (84) esp_image: image at 0x10000 has invalid magic byte (nothing flashed here?)\nE (91) boot: Factory app partition is not bootable\nE (97) boot: No bootable app partitions in the partition table\n`;
    expect(readBootLog(none).verdict).toEqual({ kind: 'no-app', detail: 'No bootable app partitions in the partition table' });
  });

  test('a chip waiting in download mode', () => {
    const text = 'ets Jun  8 2016 00:22:57\n\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\nwaiting for download\n';
    expect(readBootLog(text)).toEqual({ verdict: { kind: 'download-mode' }, decisive: true });
  });
});

describe('no verdict', () => {
  test('nothing at all, bytes that are not text, and text of another kind', () => {
    expect(readBootLog('')).toEqual({ verdict: { kind: 'no-output' }, decisive: false });
    expect(readBootLog('', { ended: true })).toEqual({ verdict: { kind: 'no-output' }, decisive: true });
    expect(readBootLog('\ufffd\u0080\ufffd\ufffdx\ufffd\u00ff\ufffd\ufffd', { ended: true }).verdict.kind).toBe('unreadable');
    expect(readBootLog('Hello from the sketch\nloop 1\nloop 2\n', { ended: true }).verdict.kind).toBe('unrecognised');
  });
});

describe('BootWatch', () => {
  afterEach(() => vi.useRealTimers());

  test('a started app is called booted once it has run for the settle time without trouble', async () => {
    vi.useFakeTimers();
    const watch = new BootWatch({ limitMs: 10_000, settleMs: 1000 });
    watch.push(IDF4_BOOT);
    await vi.advanceTimersByTimeAsync(900);
    watch.push('I (1200) app: still fine\n');
    await vi.advanceTimersByTimeAsync(200);
    expect((await watch.result).verdict.kind).toBe('booted');
  });

  test('a crash within the settle time wins, at once', async () => {
    vi.useFakeTimers();
    const watch = new BootWatch({ limitMs: 10_000, settleMs: 1000 });
    watch.push(IDF4_BOOT);
    await vi.advanceTimersByTimeAsync(300);
    watch.push(PANIC_TAIL);
    const reading = await watch.result;
    expect(reading.verdict.kind).toBe('panic');
    expect(reading.seconds).toBeLessThan(1);
  });

  test('a failure after the app was called booted revises the verdict, until the time limit', async () => {
    vi.useFakeTimers();
    const revisions: string[] = [];
    const watch = new BootWatch({ limitMs: 5000, settleMs: 1000 }, (r) => revisions.push(r.verdict.kind));
    watch.push(IDF4_BOOT);
    await vi.advanceTimersByTimeAsync(1000);
    expect((await watch.result).verdict.kind).toBe('booted');
    watch.push('\r\nBrownout detector was triggered\r\n');
    expect(revisions).toEqual(['brownout']);
    watch.push(PANIC_TAIL);
    await vi.advanceTimersByTimeAsync(5000);
    expect(revisions).toEqual(['brownout']);
  });

  test('an app that stays up is not revised at the time limit', async () => {
    vi.useFakeTimers();
    const revisions: string[] = [];
    const watch = new BootWatch({ limitMs: 5000, settleMs: 1000 }, (r) => revisions.push(r.verdict.kind));
    watch.push(IDF5_BOOT);
    await vi.advanceTimersByTimeAsync(6000);
    expect((await watch.result).verdict.kind).toBe('booted');
    expect(revisions).toEqual([]);
  });

  test('silence ends at the time limit with "no output"', async () => {
    vi.useFakeTimers();
    const watch = new BootWatch({ limitMs: 5000, settleMs: 1000 });
    await vi.advanceTimersByTimeAsync(5000);
    expect((await watch.result).verdict.kind).toBe('no-output');
  });
});
