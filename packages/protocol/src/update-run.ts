// What the phases of one update share while it runs: its options, its link to the device, its progress and retries.
import type { DeviceDocument } from './device-document.ts';
import type { DeviceLink } from './device-link.ts';
import type { ImageSource } from './image-source.ts';
import type { Retries } from './retries.ts';
import type { Throttle } from './throttle.ts';
import type { OfferedRelease } from './update-messages.ts';
import type { UpdateOptions } from './update-options.ts';
import type { ProgressReport } from './update-progress.ts';

/** What the phases of one update share. */
export interface UpdateRun {
  readonly options: UpdateOptions;
  readonly link: DeviceLink;
  readonly progress: ProgressReport;
  readonly retries: Retries;
  readonly throttle: Throttle | undefined;
  /** The device document as last read. */
  device: DeviceDocument;
  /** Set once the device found the image's digest wrong and the client sent it again (it does so once). */
  digestRetried: boolean;
  /** A source-tree update's payload, built once from the device's files (tree-update.ts). */
  treePayload?: ImageSource;
  /** The offer's signed release, read once from `options.signedRelease`. */
  offeredRelease?: OfferedRelease;
}
