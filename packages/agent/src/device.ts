// The device as the protocol sees it: its identity, its slots and the document that describes them.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrustedKey } from '@fieldflash/bundle/trust';
import { type CounterSources, type DeviceDocument, PROTOCOL_VERSION, type Slot } from '@fieldflash/protocol';
import { AGENT_VERSION, type AgentConfig } from './config.ts';
import { replaceFileDurably } from './durable.ts';
import { SLOT_NAMES } from './journal.ts';
import { RebootSchedule } from './reboot-schedule.ts';
import { SlotStore } from './slot-store.ts';
import { loadTrustedKeys } from './trusted-keys.ts';
import { UploadStore } from './uploads.ts';

function deviceId(dir: string): string {
  const path = join(dir, 'identity.json');
  if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { id: string }).id;
  const id = `ff-${randomBytes(6).toString('hex')}`;
  replaceFileDurably(path, JSON.stringify({ id }));
  return id;
}

export class Device {
  /** The reboot into the pending image at a chosen time (§5.1), kept in the slot store's journal. */
  readonly rebootSchedule = new RebootSchedule(this);

  private constructor(
    readonly config: AgentConfig,
    readonly id: string,
    public store: SlotStore,
    public uploads: UploadStore,
    /** With --trusted-keys: the publisher keys whose signed releases alone the device installs (§4.9). */
    readonly trustedKeys: readonly TrustedKey[] | undefined,
  ) {}

  /** Boots the device from its directory: reads its trusted keys, repairs the slot store, finds the partial uploads. */
  static async boot(config: AgentConfig): Promise<Device> {
    const keys = config.trustedKeys === undefined ? undefined : await loadTrustedKeys(config.trustedKeys);
    const { store, uploads } = await Device.openStores(config);
    return new Device(config, deviceId(config.dir), store, uploads, keys);
  }

  private static async openStores(config: AgentConfig): Promise<{ store: SlotStore; uploads: UploadStore }> {
    const store = await SlotStore.open(config.dir, config, config.log);
    const uploads = new UploadStore(join(config.dir, 'uploads'));
    uploads.load(config.log);
    return { store, uploads };
  }

  /** What a power cycle does to the stores: everything in memory is dropped and read back from disk. */
  async powerCycle(): Promise<void> {
    await this.uploads.closeAll();
    const { store, uploads } = await Device.openStores(this.config);
    this.store = store;
    this.uploads = uploads;
  }

  get securityVersion(): number {
    return Math.max(this.store.journal.securityFloor, this.store.activeImage.securityVersion);
  }

  /** Where the document's counters came from: the running image's record, or the image that raised the floor. */
  get counterSources(): CounterSources {
    const journal = this.store.journal;
    const active = this.store.activeImage;
    const own = active.counterSources ?? { sequence: 'offer', securityVersion: 'offer' };
    const fromFloor = journal.securityFloor > active.securityVersion;
    return { sequence: own.sequence, securityVersion: fromFloor ? (journal.securityFloorSource ?? 'offer') : own.securityVersion };
  }

  get capabilities(): string[] {
    const list = ['http', 'resume', 'pipeline', 'slot-images'];
    if (this.config.webrtc) list.splice(1, 0, 'webrtc');
    if (this.config.compat) list.push('compat-esphome', 'compat-elegantota');
    list.push('scheduled-reboot');
    if (this.trustedKeys) list.push('signed-releases');
    if (this.config.testHooks) list.push('test-hooks');
    return list;
  }

  document(): DeviceDocument {
    const journal = this.store.journal;
    const active = this.store.activeImage;
    const slots: Slot[] = SLOT_NAMES.map((name) => {
      const record = journal.slots[name];
      if (record.state === 'empty') return { name, state: 'empty' };
      return { name, state: record.state, version: record.version, sha256: record.sha256, size: record.size };
    });
    const doc: DeviceDocument = {
      id: this.id,
      product: this.config.product,
      chipFamily: this.config.chipFamily,
      board: this.config.board,
      hardwareRevision: this.config.hardwareRevision,
      version: active.version,
      sequence: active.sequence,
      securityVersion: this.securityVersion,
      counterSources: this.counterSources,
      agentVersion: AGENT_VERSION,
      protocol: { versions: [PROTOCOL_VERSION] },
      capabilities: this.capabilities,
      maxImageSize: this.config.maxImageSize,
      chunk: { size: this.config.chunkSize, window: this.config.window },
      maxConnections: this.config.maxConnections,
      slots,
    };
    if (this.trustedKeys) doc.trust = { keyIds: this.trustedKeys.map((k) => k.keyId) };
    if (journal.lastUpdate) doc.lastUpdate = { ...journal.lastUpdate };
    const scheduled = this.rebootSchedule.describe();
    if (scheduled) doc.scheduledReboot = scheduled;
    return doc;
  }
}
