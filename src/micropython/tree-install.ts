// Copies a MicroPython source tree onto a board over its raw REPL, as `mpremote cp` and the OTA updater's
// `make rsync` do, but safe against a pulled cable: each file goes to `<path>.part` in base64 chunks, its SHA-256
// is checked on the board, and only then is it renamed over the old file. Files whose digest already matches are
// skipped; device-local files (env.py) are copied only to a board that has none. `.version` records the version.
import { BOARD_HELPERS, pyString } from './board-helpers.ts';
import {
  boardError, digestMismatch, explainTransferError, filesystemFull, InstallProblem, isNoSpace, type InstallPoint,
} from './install-problems.ts';
import type { ExecResult, RawRepl } from './raw-repl.ts';

export interface TreeFile {
  /** Relative to the board's root, "/"-separated: "main.py", "lib/app.py". */
  path: string;
  data: Uint8Array | Blob;
  /** Lower-case hex. */
  sha256: string;
}

export interface SourceTree {
  /** "Demo app 1.1.0": what the person chose. */
  label: string;
  version: string;
  files: readonly TreeFile[];
  /** Paths an install never overwrites (the board's own settings and secrets). */
  deviceLocal: readonly string[];
  /** The module the board starts ("main"; "app/main" for an application under /app). */
  entry: string;
  /** Where the installed version is recorded: `.version` at the root unless the tree lives in a folder. */
  versionFile?: string;
}

export type FileState = 'waiting' | 'checking' | 'writing' | 'written' | 'unchanged' | 'kept' | 'failed';

export interface FileProgress {
  path: string;
  size: number;
  state: FileState;
  /** Bytes of this file on the board so far. */
  sent: number;
}

export interface InstallReport {
  written: number;
  unchanged: number;
  kept: number;
  bytesWritten: number;
}

export const VERSION_FILE = '.version';
/** Raw bytes per command: 1 KiB becomes a 1368-character line, small for a board's heap and UART. */
const CHUNK = 1024;
/** Paths asked about per command, so one answer stays short. */
const DIGESTS_PER_COMMAND = 16;

export async function installTree(repl: RawRepl, tree: SourceTree, onProgress: (files: readonly FileProgress[]) => void): Promise<InstallReport> {
  for (const file of tree.files) checkPath(file.path);
  const progress: FileProgress[] = tree.files.map((f) => ({ path: f.path, size: sizeOf(f.data), state: 'waiting', sent: 0 }));
  const report: InstallReport = { written: 0, unchanged: 0, kept: 0, bytesWritten: 0 };
  const at: InstallPoint = { path: undefined, written: 0, total: tree.files.length };
  const show = () => onProgress(progress.map((p) => ({ ...p })));
  show();
  try {
    await run(repl, BOARD_HELPERS, 'preparing the board');
    for (const p of progress) p.state = 'checking';
    show();
    const versionFile = tree.versionFile ?? VERSION_FILE;
    const onBoard = await boardDigests(repl, [...tree.files.map((f) => f.path), versionFile]);
    for (const p of progress) p.state = 'waiting';
    for (const [i, file] of tree.files.entries()) {
      const entry = progress[i]!;
      const current = onBoard.get(file.path);
      if (tree.deviceLocal.includes(file.path) && current !== undefined) {
        entry.state = 'kept';
        report.kept++;
      } else if (current === file.sha256.toLowerCase()) {
        entry.state = 'unchanged';
        report.unchanged++;
      } else {
        entry.state = 'writing';
        at.path = file.path;
        show();
        const bytes = file.data instanceof Blob ? new Uint8Array(await file.data.arrayBuffer()) : file.data;
        await writeFile(repl, file.path, bytes, file.sha256.toLowerCase(), (sent) => {
          entry.sent = sent;
          show();
        });
        entry.state = 'written';
        report.written++;
        report.bytesWritten += bytes.length;
        at.path = undefined;
      }
      at.written++;
      show();
    }
    const version = new TextEncoder().encode(tree.version);
    const versionDigest = await sha256Hex(version);
    if (onBoard.get(versionFile) !== versionDigest) await writeFile(repl, versionFile, version, versionDigest, () => undefined);
    return report;
  } catch (error) {
    const current = progress.find((p) => p.state === 'writing');
    if (current) current.state = 'failed';
    show();
    throw explainTransferError(error, at);
  }
}

/** The board's SHA-256 of each path; absent files are left out. */
async function boardDigests(repl: RawRepl, paths: readonly string[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (let i = 0; i < paths.length; i += DIGESTS_PER_COMMAND) {
    const batch = paths.slice(i, i + DIGESTS_PER_COMMAND);
    const { stdout } = await run(repl, `for p in (${batch.map(pyString).join(', ')},):\n    print(_ff_sha(p))`, 'reading the files on the board');
    const lines = stdout.trim().split(/\r?\n/);
    batch.forEach((path, j) => {
      const digest = lines[j]?.trim();
      if (digest && /^[0-9a-f]{64}$/.test(digest)) digests.set(path, digest);
    });
  }
  return digests;
}

async function writeFile(repl: RawRepl, path: string, bytes: Uint8Array, sha256: string, onSent: (sent: number) => void): Promise<void> {
  const part = `${path}.part`;
  await run(repl, `_ff_dirs(${pyString(path)})\n_ff_open(${pyString(part)})`, `creating ${part}`);
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const chunk = bytes.subarray(at, at + CHUNK);
    // A bytes literal: some ports' binascii (the WebAssembly one's is Python) take no str.
    const result = await repl.exec(`_ff_w(binascii.a2b_base64(b${pyString(base64(chunk))}))`);
    if (result.stderr) {
      await run(repl, `_ff_close()\n_ff_rm(${pyString(part)})`, `removing ${part}`);
      if (isNoSpace(result.stderr)) {
        const [free, total] = (await run(repl, '_ff_free()', 'reading the free space')).stdout.trim().split(' ').map(Number);
        throw filesystemFull(path, bytes.length, free, total);
      }
      throw boardError(`writing ${path}`, result.stderr);
    }
    onSent(at + chunk.length);
  }
  const { stdout } = await run(repl, `_ff_close()\nprint(_ff_sha(${pyString(part)}))`, `checking ${path}`);
  if (stdout.trim() !== sha256) {
    await run(repl, `_ff_rm(${pyString(part)})`, `removing ${part}`);
    throw digestMismatch(path);
  }
  await run(repl, `_ff_put(${pyString(part)}, ${pyString(path)})`, `putting ${path} in place`);
}

async function run(repl: RawRepl, code: string, doing: string): Promise<ExecResult> {
  const result = await repl.exec(code);
  if (result.stderr) throw boardError(doing, result.stderr);
  return result;
}

function checkPath(path: string): void {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..') || path.endsWith('.part')) {
    throw new InstallProblem('bad-tree', `The tree names a file "${path}", which is not a path inside the board's filesystem.`, 'Fix the release: paths are relative, like lib/app.py.');
  }
}

function sizeOf(data: Uint8Array | Blob): number {
  return data instanceof Blob ? data.size : data.length;
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
