// Source-tree releases (docs/bundle-format.md, "Source-tree releases"): what a tree holds and where each file lands on
// the device. Light on purpose (no dependencies): the library's details and the Devices view load it up front.
import type { Build, Release, ReleaseFile, RuntimeRequirement, SourceTree } from './release.ts';

/** The device's own secrets and settings, as in the MicroPython OTA updater: never shipped, never overwritten. */
export const DEFAULT_DEVICE_LOCAL: readonly string[] = ['env.py'];
export const DEFAULT_ENTRY = 'main';
/** Where the device records the installed version, at the tree's root, as the MicroPython OTA updater does. */
export const VERSION_FILE = '.version';
export const RUNTIME_NAMES = ['micropython'] as const;

/** A dotted Python module name: "main", "app.main". */
export const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** One file of a tree: where it lands on the device (relative to the application's directory), and what it is. */
export interface SourceTreeFile {
  /** Path on the device, relative to the tree's root. */
  path: string;
  /** Path inside the bundle. */
  bundlePath: string;
  size: number;
  sha256: string;
}

/** The device path of a bundle path inside `root`, or undefined when the path lies outside the tree. */
export function devicePath(root: string, bundlePath: string): string | undefined {
  if (root === '') return bundlePath;
  return bundlePath.startsWith(`${root}/`) ? bundlePath.slice(root.length + 1) : undefined;
}

/** Whether a device path is device-local: named exactly, or inside a device-local folder ("data/"). */
export function isDeviceLocal(path: string, deviceLocal: readonly string[]): boolean {
  return deviceLocal.some((local) => (local.endsWith('/') ? path.startsWith(local) : path === local));
}

/** The files the entry module may be: "app.main" is app/main.py or app/main.mpy. */
export function entryFiles(entry: string): [string, string] {
  const base = entry.split('.').join('/');
  return [`${base}.py`, `${base}.mpy`];
}

export function isSourceTreeBuild(build: Build): build is Build & { sourceTree: SourceTree } {
  return build.sourceTree !== undefined;
}

/** True when every build of the release is a source tree: nothing in it is flashed as an image. */
export function isSourceTreeRelease(release: Pick<Release, 'builds'>): boolean {
  return release.builds.length > 0 && release.builds.every(isSourceTreeBuild);
}

/** The tree's files in the release's order, each with its device path. */
export function sourceTreeFiles(files: ReadonlyArray<Pick<ReleaseFile, 'path' | 'size' | 'sha256' | 'role'>>, tree: SourceTree): SourceTreeFile[] {
  const out: SourceTreeFile[] = [];
  for (const f of files) {
    const path = f.role === 'source' ? devicePath(tree.root, f.path) : undefined;
    if (path !== undefined) out.push({ path, bundlePath: f.path, size: f.size, sha256: f.sha256 });
  }
  return out;
}

/** "MicroPython 1.22.0 or later", "MicroPython". */
export function runtimeLabel(runtime: RuntimeRequirement): string {
  const name = runtime.name === 'micropython' ? 'MicroPython' : runtime.name;
  return runtime.minVersion ? `${name} ${runtime.minVersion} or later` : name;
}

/** What a source-tree release is and how it reaches a device, said plainly wherever a flash image is expected. */
export function sourceTreeInstallNote(release: Pick<Release, 'product' | 'version'>): string {
  return `${release.product} ${release.version} is a MicroPython source tree: installed by the agent over the LAN or onto a MicroPython board, not flashed as an image.`;
}
