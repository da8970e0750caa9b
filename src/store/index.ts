// The store: the only code in FieldFlash that knows IndexedDB (and the view settings kept in localStorage).
export { saveReleases, listReleases, addedNewestFirst, getRelease, getReleaseSummary, getReleaseFile, deleteRelease, subscribeLibrary } from './releases.ts';
export type { LibraryChange, SaveOptions, SaveOutcome, StoredRelease } from './releases.ts';
export type { ReleaseSource, ReleaseSummary, StoredFileInfo } from './schema.ts';
export { DB_NAME, DB_VERSION } from './schema.ts';
export { saveDevice, getDevice, listDevices, type DeviceRecord } from './devices.ts';
export {
  savePairedDevice, getPairedDevice, listPairedDevices, recordDeviceAnswer, recordUpdateInProgress, changeDeviceSettings, forgetPairedDevice, subscribePairedDevices, type PairedDevice,
  type LanTransport, type UpdateInProgress, type ScheduledInProgress, type DeviceSettings,
} from './paired-devices.ts';
export {
  compatDeviceId, forgetCompatDevice, listCompatDevices, recordCompatAnswer, saveCompatDevice, subscribeCompatDevices, type CompatDevice,
} from './compat-devices.ts';
export { addReportEntry, listReportEntries, subscribeFieldReport, type FieldReportEntry, type ReportResult, type ReportTransport } from './field-report.ts';
export { readConcurrencyLimit, keepConcurrencyLimit } from './devices-view-settings.ts';
export { storageUsage, requestPersistentStorage, type StorageUsage } from './storage.ts';
export { StoreError, type StoreErrorCode } from './errors.ts';
export { lastWritten, rememberWritten, type WrittenPart, type WrittenRelease } from './board-contents.ts';
export {
  addTrustedKey, allowUnsignedReleases, asTrustedKey, listTrustedKeys, listUnsignedAllowances, revokeTrustedKey, subscribeTrust, withdrawUnsignedReleases,
  type StoredTrustedKey, type UnsignedAllowance,
} from './trust.ts';
