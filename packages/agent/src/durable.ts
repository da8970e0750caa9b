// Durable file operations: what is acknowledged is on disk. Every replacement is write-to-temp, fsync, rename,
// fsync the directory, so a reader after a crash sees either the old file or the new one, never a torn mix.
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { crashPoint } from './crash-points.ts';

/** Flushes what is written to `path` to the disk; a directory opens read-only, a file read-write. */
function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fsyncDirectory(dir: string): void {
  fsyncPath(dir, 'r');
}

export function fsyncFile(path: string): void {
  fsyncPath(path, 'r+');
}

/**
 * Replaces `path` atomically with `data`. `point` names the crash point hit between the temp write and the rename;
 * `mode` sets the file's permissions before anything is written into it (0o600 for secrets).
 */
export function replaceFileDurably(path: string, data: string | Uint8Array, point?: string, mode?: number): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    // A temp file left by a crash keeps its old mode through open(); set it before the data goes in.
    if (mode !== undefined) fchmodSync(fd, mode);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (point) crashPoint(point);
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
}

/** Moves a file that is already fsynced into place, durably. */
export function renameDurably(from: string, to: string): void {
  renameSync(from, to);
  fsyncDirectory(dirname(to));
  if (dirname(from) !== dirname(to)) fsyncDirectory(dirname(from));
}

export function removeDurably(path: string): void {
  rmSync(path, { force: true });
  fsyncDirectory(dirname(path));
}
