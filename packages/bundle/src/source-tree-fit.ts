// Whether a source-tree build suits a device: the device must report the runtime the tree needs, at or above its
// minimum version, and the chip family and board when the tree's target names them. Said before a byte is sent.
import semver from 'semver';
import type { Build, Release } from './release.ts';
import { runtimeLabel } from './source-tree.ts';

/** The interpreter a device reports its application runs on (the device document's `runtime`). */
export interface DeviceRuntime {
  name: string;
  version: string;
}

export interface DeviceForTree {
  chipFamily: string;
  board: string;
  runtime?: DeviceRuntime;
}

const same = (a: string, b: string) => a.replace(/[\s_-]/g, '').toLowerCase() === b.replace(/[\s_-]/g, '').toLowerCase();

/** A runtime's version as SemVer: MicroPython reports "1.22.0", "1.23.0-preview.203.gd4c5b6fa", or sometimes "1.22". */
function runtimeVersion(version: string): string | undefined {
  return semver.valid(version) ?? semver.coerce(version)?.version;
}

/** Why the source-tree build does not suit the device, in a sentence; undefined when it does. */
export function sourceTreeMismatch(release: Pick<Release, 'product' | 'version'>, build: Build, device: DeviceForTree): string | undefined {
  const required = build.target.runtime;
  if (!build.sourceTree || !required) return `${release.product} ${release.version} is not a source tree.`;
  const name = `${release.product} ${release.version}`;
  const needs = runtimeLabel(required);
  if (!device.runtime) return `${name} is a source tree for ${needs}; this device reports no runtime, so it takes firmware images only.`;
  if (device.runtime.name.toLowerCase() !== required.name) return `${name} is a source tree for ${needs}; this device runs ${device.runtime.name}.`;
  if (required.minVersion) {
    const running = runtimeVersion(device.runtime.version);
    if (!running) return `${name} needs ${needs}; this device reports runtime version "${device.runtime.version}", which FieldFlash cannot compare.`;
    if (semver.lt(running, required.minVersion)) {
      return `${name} needs ${needs}; this device runs ${device.runtime.version}. Update MicroPython on it first.`;
    }
  }
  const chip = build.target.chipFamily;
  if (chip && !same(chip, device.chipFamily)) return `${name} is a source tree for ${chip} boards; the device is an ${device.chipFamily}.`;
  const board = build.target.board;
  if (board && !same(board, device.board)) return `${name} is a source tree for the board ${board}; the device is a ${device.board}.`;
  return undefined;
}
