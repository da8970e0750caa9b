// How much of the device the library uses, and whether the browser may evict it.

export interface StorageUsage {
  /** Bytes used by this origin (library, app cache), as the browser estimates it. */
  usage: number | undefined;
  /** Bytes this origin may use. */
  quota: number | undefined;
  /** True when the browser promised not to evict the data under storage pressure. */
  persisted: boolean;
}

export async function storageUsage(): Promise<StorageUsage> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage) return { usage: undefined, quota: undefined, persisted: false };
  const [estimate, persisted] = await Promise.all([
    storage.estimate().catch(() => ({}) as StorageEstimate),
    storage.persisted ? storage.persisted().catch(() => false) : Promise.resolve(false),
  ]);
  return { usage: estimate.usage, quota: estimate.quota, persisted };
}

/** Asks the browser to keep FieldFlash's data; resolves to whether it agreed. */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = navigator.storage as StorageManager | undefined;
  if (!storage?.persist) return false;
  return storage.persist();
}
