// A source-tree release as an update sends it: the tree, and the delta against the device's files in numbers.
import type { SourceTreeFile } from '@fieldflash/bundle/source-tree';

/** What a source-tree update sends from: the release's tree, every file with its bytes. */
export interface SourceTreeImage {
  kind: 'source-tree';
  version: string;
  entry: string;
  deviceLocal: readonly string[];
  files: ReadonlyArray<SourceTreeFile & { data: Blob }>;
}

/** The delta in numbers, as the progress and the verdict report it. */
export interface TreeDeltaSummary {
  /** Files sent, of `files` in the release's tree. */
  filesSent: number;
  files: number;
  /** Files on the device the new tree no longer has. */
  removed: number;
  bytesToSend: number;
  /** Bytes of files the device already holds, not sent. */
  bytesSaved: number;
  totalBytes: number;
  /** In words: "Sends 3 of 12 files (4.1 KiB of 52.0 KiB): 47.9 KiB saved." */
  description: string;
}

export function isSourceTreeImage(image: unknown): image is SourceTreeImage {
  return typeof image === 'object' && image !== null && (image as { kind?: unknown }).kind === 'source-tree';
}
