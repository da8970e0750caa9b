// The simulated ESP32's flash for the MicroPython agent: two OTA app partitions as files (DIR/partitions/ota_0.bin,
// ota_1.bin) and ESP-IDF's otadata with its bootloader rollback (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE): an image
// set to boot is `new`, its first boot makes it `pending-verify`, and a second boot before the app marked it valid
// aborts it and boots the other partition. Tests read slot bytes straight from these files.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const PARTITION_SIZE = 0x180000; // 1.5 MiB, as in MicroPython's 4 MiB OTA partition table
const ADDRESSES = [0x10000, 0x190000];
export const LABELS = ['ota_0', 'ota_1'] as const;

type ImageState = 'new' | 'pending-verify' | 'valid' | 'aborted';

interface OtaData {
  boot: number;
  states: ImageState[];
}

export interface PartitionInfo {
  label: string;
  address: number;
  size: number;
}

/** What the factory put in ota_0: a marker the agent records as the running image on its first start. */
function factoryImage(version: string): Buffer {
  const image = Buffer.alloc(PARTITION_SIZE, 0xff);
  image.write(`FieldFlash simulated ESP32 factory firmware ${version}\n`);
  return image;
}

export class Flash {
  private readonly files: number[];
  private otadata: OtaData;

  constructor(
    readonly dir: string,
    factoryVersion: string,
  ) {
    mkdirSync(join(dir, 'partitions'), { recursive: true });
    for (const [i, label] of LABELS.entries()) {
      const path = this.partitionPath(label);
      if (!existsSync(path)) writeFileSync(path, i === 0 ? factoryImage(factoryVersion) : Buffer.alloc(PARTITION_SIZE, 0xff));
    }
    this.files = LABELS.map((label) => openSync(this.partitionPath(label), 'r+'));
    const otadata = join(dir, 'partitions', 'otadata.json');
    this.otadata = existsSync(otadata) ? (JSON.parse(readFileSync(otadata, 'utf8')) as OtaData) : { boot: 0, states: ['valid', 'aborted'] };
  }

  partitionPath(label: string): string {
    return join(this.dir, 'partitions', `${label}.bin`);
  }

  get partitions(): PartitionInfo[] {
    return LABELS.map((label, i) => ({ label, address: ADDRESSES[i]!, size: PARTITION_SIZE }));
  }

  /** The bootloader: picks the partition to run, as ESP-IDF's does with rollback enabled. */
  bootloader(): number {
    const data = this.otadata;
    let boot = data.boot;
    if (data.states[boot] === 'new') data.states[boot] = 'pending-verify';
    else if (data.states[boot] === 'pending-verify' || data.states[boot] === 'aborted') {
      data.states[boot] = 'aborted';
      boot = 1 - boot;
      data.boot = boot;
    }
    this.save();
    return boot;
  }

  setBoot(index: number): void {
    this.otadata.boot = index;
    this.otadata.states[index] = 'new';
    this.save();
  }

  markValid(running: number): void {
    this.otadata.states[running] = 'valid';
    this.save();
  }

  get bootIndex(): number {
    return this.otadata.boot;
  }

  read(index: number, offset: number, into: Uint8Array): number {
    if (offset < 0 || offset + into.length > PARTITION_SIZE) return -1;
    return readSync(this.files[index]!, into, 0, into.length, offset);
  }

  write(index: number, offset: number, bytes: Uint8Array): number {
    if (offset < 0 || offset + bytes.length > PARTITION_SIZE) return -1;
    return writeSync(this.files[index]!, bytes, 0, bytes.length, offset);
  }

  close(): void {
    for (const fd of this.files) closeSync(fd);
  }

  private save(): void {
    writeFileSync(join(this.dir, 'partitions', 'otadata.json'), JSON.stringify(this.otadata));
  }
}
