export * from './chip-family.ts';
export * from './esp-image.ts';
export * from './esp-image-writer.ts';
export * from './errors.ts';
export * from './release.ts';
export { describeOffsetOrigin, type OffsetOrigin } from './offset-origin.ts';
export * from './partition-table.ts';
export * from './limits.ts';
export { readBundle, type BundleInput, type ReadOptions, type ReadProgress } from './read-bundle.ts';
export { writeBundleZip } from './write-bundle.ts';
export { pickBuild, compatibility } from './pick-build.ts';
export { NATIVE_MANIFEST_NAME, NATIVE_FORMAT, NATIVE_FORMAT_VERSION, readNativeManifest } from './formats/fieldflash.ts';
export type { ReleaseDraft } from './release-draft.ts';
export { SIGNATURE_FORMAT } from './formats/signature.ts';
export { normaliseVersion, appBuildTime, isSemver, MAX_VERSION_LENGTH } from './version.ts';
export { BUILD_TIME_ORDER_LABEL, compareReleasesNewestFirst, compareVersionsNewestFirst, type OrderedRelease } from './release-order.ts';
export { parseOffset } from './manifest-fields.ts';
export { writeNativeManifest, type NativeReleaseSpec, type NativeTargetSpec } from './native-manifest-writer.ts';
export { fetchRelease, parseReleaseUrl, readBundleFetchingParts, namesRemoteParts, type FetchOptions, type FetchProgress, type FetchedRelease } from './remote/fetch-release.ts';
export { RemoteError, isRemoteError, type RemoteErrorCode } from './remote/remote-error.ts';
export type { Fetch } from './remote/download.ts';
export { compareWithKept, changedInPlaceError, describeChanges, type KnownRelease, type OfferedRelease, type ChangedInPlace, type ReleaseChanges, type FileChange } from './remote/release-changes.ts';
export {
  DEFAULT_DEVICE_LOCAL, DEFAULT_ENTRY, VERSION_FILE, devicePath, entryFiles, isDeviceLocal, isSourceTreeBuild, isSourceTreeRelease,
  runtimeLabel, sourceTreeFiles, sourceTreeInstallNote, type SourceTreeFile,
} from './source-tree.ts';
export { UNVERSIONED } from './formats/source-tree-folder.ts';
export { sourceTreeMismatch, type DeviceForTree, type DeviceRuntime } from './source-tree-fit.ts';
export { sourceTreeDelta, describeSourceTreeDelta, type DeviceFileDigest, type SourceTreeDelta } from './source-tree-delta.ts';
export * from './trust/index.ts';
