// What a LAN update of a source tree sends: only the files whose SHA-256 differs from what the device reports for the
// same path. Pure, so the client and an agent can agree on it without a device at hand.
import { formatBytes } from './limits.ts';
import { DEFAULT_DEVICE_LOCAL, isDeviceLocal, VERSION_FILE, type SourceTreeFile } from './source-tree.ts';

/** A file as the device reports it: its path relative to the application's directory and its SHA-256. */
export interface DeviceFileDigest {
  path: string;
  sha256: string;
}

export interface SourceTreeDelta {
  /** Files the device lacks or holds with other bytes: these are sent. */
  send: SourceTreeFile[];
  /** Files the device already holds byte for byte: kept on the device, not sent. */
  unchanged: SourceTreeFile[];
  /** Files on the device that the new tree no longer has: gone once the new tree is in place. Never a device-local file. */
  removed: string[];
  /** Bytes of the files sent. */
  bytesToSend: number;
  /** Bytes not sent because the device already holds them: the whole tree's size less bytesToSend. */
  bytesSaved: number;
  /** Bytes of the whole tree. */
  totalBytes: number;
}

/**
 * Compares a tree's files with the digests a device reports. Device-local files and the device's .version record are
 * left out of the comparison on both sides: an update never sends, replaces or removes them.
 */
export function sourceTreeDelta(
  tree: readonly SourceTreeFile[],
  device: Iterable<DeviceFileDigest>,
  deviceLocal: readonly string[] = DEFAULT_DEVICE_LOCAL,
): SourceTreeDelta {
  const kept = (path: string) => path !== VERSION_FILE && !isDeviceLocal(path, deviceLocal);
  const onDevice = new Map<string, string>();
  for (const f of device) if (kept(f.path)) onDevice.set(f.path, f.sha256.toLowerCase());
  const send: SourceTreeFile[] = [];
  const unchanged: SourceTreeFile[] = [];
  for (const file of tree) {
    if (!kept(file.path)) continue;
    (onDevice.get(file.path) === file.sha256.toLowerCase() ? unchanged : send).push(file);
  }
  const inTree = new Set(tree.map((f) => f.path));
  const removed = [...onDevice.keys()].filter((path) => !inTree.has(path)).sort();
  const sum = (files: readonly SourceTreeFile[]) => files.reduce((n, f) => n + f.size, 0);
  const bytesToSend = sum(send);
  const bytesSaved = sum(unchanged);
  return { send, unchanged, removed, bytesToSend, bytesSaved, totalBytes: bytesToSend + bytesSaved };
}

/** "Sends 3 of 12 files (4.1 KiB of 52.0 KiB): 47.9 KiB saved." */
export function describeSourceTreeDelta(delta: SourceTreeDelta): string {
  const files = delta.send.length + delta.unchanged.length;
  const sends = `Sends ${delta.send.length} of ${files} ${files === 1 ? 'file' : 'files'} (${formatBytes(delta.bytesToSend)} of ${formatBytes(delta.totalBytes)})`;
  const removes = delta.removed.length > 0 ? `; removes ${delta.removed.length} the new tree no longer has` : '';
  return `${sends}: ${formatBytes(delta.bytesSaved)} saved${removes}.`;
}
