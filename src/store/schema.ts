// The IndexedDB schema: release metadata and file bytes live in separate object stores,
// so listing the library never reads megabytes of firmware.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Release, ReleaseFile } from '@fieldflash/bundle';
import type { CompatDevice, DeviceRecord, FieldReportEntry, PairedDevice, StoredTrustedKey, UnsignedAllowance, WrittenRelease } from './records.ts';

export const DB_NAME = 'fieldflash';
export const DB_VERSION = 6;

/** A file of a stored release, without its bytes. */
export type StoredFileInfo = Omit<ReleaseFile, 'data'>;

/** Where a release added from the web came from: the address the technician gave, and when it was fetched. */
export interface ReleaseSource {
  url: string;
  /** ms since the epoch. */
  fetchedAt: number;
}

/** What the library keeps about a release besides the file bytes. */
export interface ReleaseSummary extends Omit<Release, 'files'> {
  files: StoredFileInfo[];
  /** When it was added to this device's library (ms since the epoch). */
  addedAt: number;
  /** Sum of the file sizes, in bytes. */
  totalSize: number;
  /** Present for releases added from a URL; "Check for newer versions" re-reads it. */
  source?: ReleaseSource;
}

/** The bytes of one file of one release. */
export interface StoredFileData {
  releaseId: string;
  path: string;
  data: Blob;
}

export interface FieldFlashSchema extends DBSchema {
  releases: { key: string; value: ReleaseSummary; indexes: { 'by-product': string } };
  files: { key: [string, string]; value: StoredFileData; indexes: { 'by-release': string } };
  /** Boards put on a network or flashed over USB, keyed by base MAC (version 2). */
  devices: { key: string; value: StoredDevice };
  /** Devices paired for LAN updates, keyed by the id in their device document (version 3). */
  pairedDevices: { key: string; value: PairedDevice };
  /** One entry per LAN update run from the Devices view (version 4). */
  fieldReport: { key: string; value: FieldReportEntry };
  /** Devices updated in compatibility mode (ESPHome, ElegantOTA), keyed by `<kind>:<host>` (version 5). */
  compatDevices: { key: string; value: CompatDevice };
  /** Publishers' public keys this laptop trusts (or revoked), keyed by key id (version 6). */
  trustedKeys: { key: string; value: StoredTrustedKey };
  /** Products whose unsigned releases the technician allowed, keyed by product (version 6). */
  unsignedAllowed: { key: string; value: UnsignedAllowance };
}

/**
 * A board's record: its network identity once provisioned (DeviceRecord), and what FieldFlash last wrote to it over
 * USB. Either may be missing; no schema change was needed for the second (records are plain objects).
 */
export type StoredDevice = Partial<DeviceRecord> & { mac: string; written?: WrittenRelease };

export type FieldFlashDatabase = IDBPDatabase<FieldFlashSchema>;

let opening: Promise<FieldFlashDatabase> | undefined;

/** Opens (and creates or upgrades) the database once per page. */
export function database(): Promise<FieldFlashDatabase> {
  opening ??= openDB<FieldFlashSchema>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      // One step per schema version, so a device that skipped versions replays them in order.
      if (oldVersion < 1) {
        const releases = db.createObjectStore('releases', { keyPath: 'id' });
        releases.createIndex('by-product', 'product');
        const files = db.createObjectStore('files', { keyPath: ['releaseId', 'path'] });
        files.createIndex('by-release', 'releaseId');
      }
      if (oldVersion < 2) {
        db.createObjectStore('devices', { keyPath: 'mac' });
      }
      if (oldVersion < 3) {
        db.createObjectStore('pairedDevices', { keyPath: 'id' });
      }
      if (oldVersion < 4) {
        db.createObjectStore('fieldReport', { keyPath: 'id' });
      }
      if (oldVersion < 5) {
        db.createObjectStore('compatDevices', { keyPath: 'id' });
      }
      if (oldVersion < 6) {
        // New stores only: the releases already kept get their verdict when read, from the files they hold.
        db.createObjectStore('trustedKeys', { keyPath: 'keyId' });
        db.createObjectStore('unsignedAllowed', { keyPath: 'product' });
      }
    },
    blocking() {
      // A newer FieldFlash in another window needs to upgrade the schema: step aside.
      void opening?.then((db) => db.close());
      opening = undefined;
    },
    terminated() {
      opening = undefined;
    },
  }).catch((error: unknown) => {
    opening = undefined;
    throw error;
  });
  return opening;
}
