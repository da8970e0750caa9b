// The A/B slot store on disk. Slots live in <dir>/slots/{a,b}.img; the journal says which one boots and what each
// holds. An image enters a slot only whole: it is fsynced under another name, then renamed into place, after the
// journal has stopped trusting the slot's old contents. At start the store repairs whatever a crash left behind.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { crashPoint } from './crash-points.ts';
import { fsyncDirectory, removeDurably, renameDurably, replaceFileDurably } from './durable.ts';
import { type ImageInfo, type Journal, otherSlot, readJournal, SLOT_NAMES, type SlotName, writeJournal } from './journal.ts';

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The image a blank device starts with, so there is always something verified to boot. */
export function factoryImage(product: string, version: string): Uint8Array {
  const text = `FieldFlash factory image\nproduct ${product}\nversion ${version}\n`;
  const bytes = new Uint8Array(4096).fill(0xff);
  bytes.set(Buffer.from(text));
  return bytes;
}

export interface FactorySettings {
  product: string;
  version: string;
  sequence: number;
  securityVersion: number;
}

export class SlotStore {
  private constructor(
    readonly dir: string,
    private state: Journal,
  ) {}

  get journal(): Readonly<Journal> {
    return this.state;
  }

  slotPath(slot: SlotName): string {
    return join(this.dir, 'slots', `${slot}.img`);
  }

  get activeImage(): ImageInfo {
    const record = this.state.slots[this.state.active];
    if (record.state === 'empty') throw new Error('the active slot is empty');
    return record;
  }

  /** The slot an update writes into. */
  get inactiveSlot(): SlotName {
    return otherSlot(this.state.active);
  }

  get pendingSlot(): SlotName | null {
    return SLOT_NAMES.find((slot) => this.state.slots[slot].state === 'pending') ?? null;
  }

  /** The scheduled reboot, if one is set for the image pending now (§5.1). */
  get scheduledReboot(): { sha256: string; at: number } | null {
    const schedule = this.state.scheduledReboot;
    const slot = this.pendingSlot;
    const pending = slot ? this.state.slots[slot] : undefined;
    return schedule && pending && pending.state !== 'empty' && pending.sha256 === schedule.sha256 ? schedule : null;
  }

  /** Schedules the reboot into the pending image `sha256` at `at` (ms since the epoch); false when it is not pending. */
  scheduleReboot(sha256: string, at: number): boolean {
    const slot = this.pendingSlot;
    const record = slot ? this.state.slots[slot] : undefined;
    if (!record || record.state === 'empty' || record.sha256 !== sha256) return false;
    this.state.scheduledReboot = { sha256: record.sha256, at };
    writeJournal(this.dir, this.state);
    return true;
  }

  cancelScheduledReboot(): void {
    if (!this.state.scheduledReboot) return;
    this.state.scheduledReboot = null;
    writeJournal(this.dir, this.state);
  }

  /** Opens (or creates) the store and repairs it: the result always has a verified image in its active slot. */
  static async open(dir: string, factory: FactorySettings, log: (line: string) => void): Promise<SlotStore> {
    mkdirSync(join(dir, 'slots'), { recursive: true });
    let journal = readJournal(dir);
    if (!journal) {
      const image = factoryImage(factory.product, factory.version);
      const path = join(dir, 'slots', 'a.img');
      replaceFileDurably(path, image);
      journal = {
        generation: 0,
        active: 'a',
        slots: {
          a: { state: 'active', sha256: createHash('sha256').update(image).digest('hex'), size: image.length, version: factory.version, sequence: factory.sequence, securityVersion: factory.securityVersion, counterSources: { sequence: 'factory', securityVersion: 'factory' } },
          b: { state: 'empty' },
        },
        testBoot: null,
        lastUpdate: null,
        securityFloor: factory.securityVersion,
        securityFloorSource: 'factory',
      };
      writeJournal(dir, journal);
      log(`new device store in ${dir}: factory image ${factory.version} in slot a`);
    }
    const store = new SlotStore(dir, journal);
    await store.recover(log);
    return store;
  }

  private async recover(log: (line: string) => void): Promise<void> {
    const slotsDir = join(this.dir, 'slots');
    for (const name of readdirSync(slotsDir)) if (name.endsWith('.tmp')) rmSync(join(slotsDir, name), { force: true });
    rmSync(join(this.dir, 'journal.json.tmp'), { force: true });

    if (this.state.scheduledReboot && !this.scheduledReboot) {
      // A schedule whose image is no longer pending: nothing is left for it to boot.
      this.state.scheduledReboot = null;
      writeJournal(this.dir, this.state);
    }
    const trial = this.state.testBoot;
    if (trial) {
      log(`slot ${trial.slot} never confirmed its test boot: rolling back to slot ${trial.previous}`);
      this.rollBackTestBoot('the device restarted during the test boot, before the health check confirmed the image');
    }

    const active = this.state.active;
    const record = this.state.slots[active];
    const activeOk = record.state !== 'empty' && existsSync(this.slotPath(active)) && (await sha256OfFile(this.slotPath(active))) === record.sha256;
    if (!activeOk) {
      const fallback = otherSlot(active);
      const other = this.state.slots[fallback];
      const fallbackOk = other.state === 'confirmed' && existsSync(this.slotPath(fallback)) && (await sha256OfFile(this.slotPath(fallback))) === other.sha256;
      if (!fallbackOk) throw new Error(`slot ${active} does not hold the image its journal records, and no confirmed image is left to boot`);
      log(`slot ${active} does not hold the image its journal records: booting the confirmed image in slot ${fallback}`);
      this.state.slots[active] = { state: 'empty' };
      this.state.slots[fallback] = { ...other, state: 'active' };
      this.state.active = fallback;
      writeJournal(this.dir, this.state);
      removeDurably(this.slotPath(active));
    }

    // The other slot: an image that no longer matches its record is forgotten, a file the journal does not know is removed.
    const other = otherSlot(this.state.active);
    const otherRecord = this.state.slots[other];
    const otherPath = this.slotPath(other);
    if (otherRecord.state === 'empty') {
      if (existsSync(otherPath)) removeDurably(otherPath);
    } else if (!existsSync(otherPath) || (await sha256OfFile(otherPath)) !== otherRecord.sha256) {
      log(`slot ${other} does not hold the image its journal records: marking it empty`);
      this.state.slots[other] = { state: 'empty' };
      writeJournal(this.dir, this.state);
      removeDurably(otherPath);
    }
  }

  /**
   * Puts a verified, fsynced image file into the inactive slot as pending. The journal first forgets the slot's
   * old image, then the file is renamed into place, then the journal records it: a crash in between leaves an
   * empty slot, never a slot whose record describes other bytes.
   */
  installPending(file: string, image: ImageInfo): SlotName {
    const slot = this.inactiveSlot;
    // A schedule belongs to the image it was set for: replacing that image ends it (§5.1).
    this.state.scheduledReboot = null;
    if (this.state.slots[slot].state !== 'empty') {
      this.state.slots[slot] = { state: 'empty' };
      writeJournal(this.dir, this.state);
    }
    renameDurably(file, this.slotPath(slot));
    crashPoint('commit');
    this.state.slots[slot] = { state: 'pending', ...image };
    this.state.lastUpdate = { sha256: image.sha256, version: image.version, outcome: 'pending' };
    writeJournal(this.dir, this.state);
    return slot;
  }

  /** Records that the pending slot is about to be test-booted. */
  beginTestBoot(): { slot: SlotName; previous: SlotName; image: ImageInfo } | null {
    const slot = this.pendingSlot;
    if (!slot) return null;
    const record = this.state.slots[slot];
    if (record.state === 'empty') return null;
    this.state.testBoot = { slot, previous: this.state.active, sha256: record.sha256 };
    // The test boot is what a schedule waited for: it has come, whatever brought it.
    this.state.scheduledReboot = null;
    writeJournal(this.dir, this.state);
    return { slot, previous: this.state.active, image: record };
  }

  /** The test-booted image passed its health check: it becomes active, the previous one the rollback target. */
  confirmTestBoot(): void {
    const trial = this.state.testBoot;
    if (!trial) return;
    const record = this.state.slots[trial.slot];
    const previous = this.state.slots[trial.previous];
    if (record.state === 'empty') return;
    this.state.slots[trial.slot] = { ...record, state: 'active' };
    if (previous.state !== 'empty') this.state.slots[trial.previous] = { ...previous, state: 'confirmed' };
    this.state.active = trial.slot;
    this.state.testBoot = null;
    if (record.securityVersion > this.state.securityFloor) {
      this.state.securityFloor = record.securityVersion;
      if (record.counterSources) this.state.securityFloorSource = record.counterSources.securityVersion;
    }
    this.state.lastUpdate = { sha256: record.sha256, version: record.version, outcome: 'confirmed' };
    writeJournal(this.dir, this.state);
  }

  rollBackTestBoot(reason: string): void {
    const trial = this.state.testBoot;
    if (!trial) return;
    const record = this.state.slots[trial.slot];
    const version = record.state === 'empty' ? '0.0.0' : record.version;
    this.state.slots[trial.slot] = { state: 'empty' };
    this.state.active = trial.previous;
    this.state.testBoot = null;
    this.state.lastUpdate = { sha256: trial.sha256, version, outcome: 'rolled-back', reason };
    writeJournal(this.dir, this.state);
    rmSync(this.slotPath(trial.slot), { force: true });
    fsyncDirectory(join(this.dir, 'slots'));
  }
}
