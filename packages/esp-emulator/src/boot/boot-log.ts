// What a chip prints when it boots from flash: the ROM loads the 2nd-stage bootloader, the bootloader reads
// the partition table at 0x8000, picks factory or the ota_X that otadata selects, verifies and starts it.
// Everything is read from the emulated flash, so a half-written image fails to boot as it would for real.
import type { AppDescription } from '@fieldflash/bundle';
import type { ChipIdentity } from '../registers/chips.ts';
import { appStartLog } from './app-log.ts';
import { faultAfterStart, type AppFailure, type BootFault } from './boot-faults.ts';
import { IdfLog } from './idf-log.ts';
import { checkImage, chipRevisionRange, flashSpeedMhz, type ImageCheck } from './image-check.ts';
import { chooseBootPartition, PARTITION_TABLE_OFFSET, partitionUsage, readPartitionTable, type BootPartition } from './partition-table.ts';
import { bootloaderLoadLines, hex8, spiBootBanner, type ResetCause } from './rom-banner.ts';

export interface BootStep {
  /** Delay after the previous step. */
  afterMs: number;
  text: string;
}

export interface BootPlan {
  steps: BootStep[];
  /** 'running': the app is up (`app`: its esp_app_desc_t). 'reset': the chip resets itself (watchdog, abort, bootloader_reset). */
  then: { kind: 'running'; app?: AppDescription | undefined } | { kind: 'reset'; cause: ResetCause; afterMs: number };
}

export interface BootInput {
  chip: ChipIdentity;
  /** Undefined when the ROM loader hands over to flash without a reset (FLASH_END "run user code"). */
  cause: ResetCause | undefined;
  flashSize: number;
  chipRevision: string;
  read(offset: number, length: number): Uint8Array;
  /** How the app fails once started (or that the board prints nothing), when a test or a demo asks for it. */
  fault?: BootFault | undefined;
}

const MAPPED_RANGES: Record<string, Array<[number, number]>> = {
  esp32: [[0x3f400000, 0x3f800000], [0x400c2000, 0x40c00000]],
  esp32s3: [[0x3c000000, 0x3e000000], [0x42000000, 0x44000000]],
  esp32c3: [[0x3c000000, 0x3c800000], [0x42000000, 0x42800000]],
};

const SIZE_NAMES: Record<number, string> = { 1: '1MB', 2: '2MB', 4: '4MB', 8: '8MB', 16: '16MB', 32: '32MB', 64: '64MB', 128: '128MB' };

export async function planFlashBoot(input: BootInput): Promise<BootPlan> {
  if (input.fault !== 'silent') return planPrintedBoot({ ...input, fault: input.fault });
  // The same boot, on the same clock, with every line kept inside the chip.
  const plan = await planPrintedBoot({ ...input, fault: undefined });
  return { ...plan, steps: plan.steps.map((step) => ({ ...step, text: '' })) };
}

async function planPrintedBoot(input: BootInput & { fault: AppFailure | undefined }): Promise<BootPlan> {
  const { chip } = input;
  const rom = input.cause === undefined ? '' : spiBootBanner(chip.name, input.cause);
  const bootloaderBytes = input.read(chip.bootloaderOffset, PARTITION_TABLE_OFFSET - chip.bootloaderOffset);
  const bootloader = await checkImage(bootloaderBytes, { verifyHash: false });
  if (!bootloader.ok) return romFailure(rom, bootloader);

  const info = bootloader.info;
  const steps: BootStep[] = [
    { afterMs: 0, text: rom + bootloaderLoadLines(chip.name, info.flashMode, flashSpeedMhz(bootloaderBytes), info.segments, info.entryAddress) },
  ];
  const log = new IdfLog(27);
  const reset = (afterMs = 20): BootPlan => {
    steps.push({ afterMs: 30, text: log.take() });
    return { steps, then: { kind: 'reset', cause: 'software-system', afterMs } };
  };

  const table = readPartitionTable(input.read(PARTITION_TABLE_OFFSET, 0xc00));
  const firstApp = table.ok ? await findAppInfo(input, table.partitions) : undefined;
  const idf = info.bootloader?.idfVersion ?? firstApp?.app?.idfVersion ?? 'v5.1';
  const built = info.bootloader?.dateTime ?? (firstApp?.app ? `${firstApp.app.date} ${firstApp.app.time}` : '');
  log.line('I', 'boot', `ESP-IDF ${idf} 2nd stage bootloader`, 0);
  log.line('I', 'boot', `compile time ${built}`, 0);
  if (chip.name !== 'esp32c3') log.line('I', 'boot', 'Multicore bootloader', 4);
  log.line('I', 'boot', `chip revision: ${input.chipRevision}`, 4);
  log.line('I', `boot.${chip.name}`, `SPI Speed      : ${flashSpeedMhz(bootloaderBytes)}MHz`);
  log.line('I', `boot.${chip.name}`, `SPI Mode       : ${info.flashMode.toUpperCase()}`);
  log.line('I', `boot.${chip.name}`, `SPI Flash Size : ${info.flashSize ? SIZE_NAMES[info.flashSize / 1048576] ?? '?' : '?'}`);
  log.line('I', 'boot', 'Enabling RNG early entropy source...');
  if (!table.ok) {
    log.line('E', 'flash_parts', `partition ${table.index} invalid magic number 0x${table.magic.toString(16)}`);
    log.line('E', 'boot', 'Failed to verify partition table');
    log.line('E', 'boot', 'load partition table error!');
    return reset();
  }
  log.line('I', 'boot', 'Partition Table:', 4);
  log.line('I', 'boot', '## Label            Usage          Type ST Offset   Length');
  table.partitions.forEach((p, i) => {
    const line = `${String(i).padStart(2)} ${p.label.padEnd(16)} ${partitionUsage(p).padEnd(16)} ${hex2(p.type)} ${hex2(p.subtype)} ${hex8(p.offset)} ${hex8(p.size)}`;
    log.line('I', 'boot', line, 7);
  });
  log.line('I', 'boot', 'End of partition table', 4);

  const choice = chooseBootPartition(table.partitions, (o, l) => safeRead(input, o, l));
  if (choice.kind === 'factory' && choice.defaulted) log.line('I', 'boot', 'Defaulting to factory image');
  const apps = table.partitions.filter((p) => p.type === 0x00);
  const order = choice.kind === 'none' ? apps : [choice.partition, ...apps.filter((p) => p !== choice.partition)];
  for (const partition of order) {
    const bytes = appBytes(input, partition);
    const app = await checkImage(bytes, { verifyHash: true });
    if (!app.ok) {
      appFailure(log, partition, app);
      log.line('E', 'boot', partition.subtype === 0 ? 'Factory app partition is not bootable' : `OTA app partition slot ${partition.subtype - 0x10} is not bootable`);
      continue;
    }
    for (const [i, s] of app.info.segments.entries()) {
      const mapped = (MAPPED_RANGES[chip.name] ?? []).some(([lo, hi]) => s.loadAddress >= lo && s.loadAddress < hi);
      const kb = s.length / 1024;
      const line = `segment ${i}: paddr=${hex8(partition.offset + s.dataOffset)} vaddr=${hex8(s.loadAddress)} size=${s.length.toString(16).padStart(5, '0')}h (${String(s.length).padStart(6)}) ${mapped ? 'map' : 'load'}`;
      log.line('I', 'esp_image', line, Math.max(4, Math.round(mapped ? kb / 3 : kb / 2)));
    }
    log.line('I', 'boot', `Loaded app from partition at offset 0x${partition.offset.toString(16)}`, 4);
    log.line('I', 'boot', 'Disabling RNG early entropy source...', 10);
    steps.push({ afterMs: 30, text: log.take() });
    const started = appStartLog(log, {
      chip,
      info: app.info,
      revisions: chipRevisionRange(bytes),
      chipRevision: input.chipRevision,
      flashSize: input.flashSize,
    });
    steps.push({ afterMs: Math.min(400, 60 + Math.round(app.info.imageLength / 20_000)), text: log.take() });
    if (!started) return { steps, then: { kind: 'reset', cause: 'software-cpu', afterMs: 30 } };
    if (!input.fault) return { steps, then: { kind: 'running', app: app.info.app } };
    const failure = faultAfterStart(input.fault, chip, app.info);
    steps.push({ afterMs: failure.afterMs, text: failure.text });
    return { steps, then: { kind: 'reset', cause: failure.cause, afterMs: failure.resetAfterMs } };
  }
  log.line('E', 'boot', 'No bootable app partitions in the partition table');
  return reset();
}

function appFailure(log: IdfLog, partition: BootPartition, check: Exclude<ImageCheck, { ok: true }>): void {
  const at = `0x${partition.offset.toString(16)}`;
  switch (check.reason) {
    case 'magic':
      log.line('E', 'esp_image', `image at ${at} has invalid magic byte (nothing flashed here?)`);
      break;
    case 'structure':
      log.line('E', 'esp_image', `image at ${at} is unreadable: ${check.message}`);
      break;
    case 'checksum':
      log.line('E', 'esp_image', `Checksum failed. Calculated 0x${check.calculated.toString(16)} read 0x${check.stored.toString(16)}`);
      break;
    case 'hash':
      log.line('E', 'esp_image', 'Image hash failed - image is corrupt');
      break;
  }
}

/** The ROM could not start the 2nd-stage bootloader: it complains until the RTC watchdog resets it. */
function romFailure(banner: string, check: Exclude<ImageCheck, { ok: true }>): BootPlan {
  if (check.reason === 'checksum') {
    const text = `${banner}csum err:0x${check.calculated.toString(16)}!=0x${check.stored.toString(16)}\r\nets_main.c 371 \r\n`;
    return { steps: [{ afterMs: 0, text }], then: { kind: 'reset', cause: 'watchdog', afterMs: 300 } };
  }
  const word = check.reason === 'magic' ? check.firstWord : 0xffffffff;
  const line = `invalid header: 0x${hex8(word)}\r\n`;
  const steps: BootStep[] = [{ afterMs: 0, text: banner + line.repeat(4) }];
  for (let i = 0; i < 3; i++) steps.push({ afterMs: 60, text: line.repeat(4) });
  return { steps, then: { kind: 'reset', cause: 'watchdog', afterMs: 300 } };
}

/** The bootloader's own version line needs a build to quote; an app from the same build is the best witness. */
async function findAppInfo(input: BootInput, partitions: BootPartition[]) {
  for (const p of partitions.filter((x) => x.type === 0x00)) {
    const check = await checkImage(appBytes(input, p), { verifyHash: false });
    if (check.ok) return check.info;
  }
  return undefined;
}

function appBytes(input: BootInput, p: BootPartition): Uint8Array {
  return safeRead(input, p.offset, Math.min(p.size, Math.max(0, input.flashSize - p.offset)) || 32);
}

/** Reads within the fitted flash; addresses past its end read as erased, as the real bus wraps or floats. */
function safeRead(input: BootInput, offset: number, length: number): Uint8Array {
  if (offset >= input.flashSize) return new Uint8Array(length).fill(0xff);
  const inside = Math.min(length, input.flashSize - offset);
  if (inside === length) return input.read(offset, length);
  const out = new Uint8Array(length).fill(0xff);
  out.set(input.read(offset, inside));
  return out;
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
