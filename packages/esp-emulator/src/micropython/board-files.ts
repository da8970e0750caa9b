// The board's filesystem as MicroPython sees it: the interpreter's in-memory MEMFS root, made to look like an
// ESP32's littlefs at "/". Emscripten's own directories are hidden, os.statvfs reports the partition's size,
// and a write that would not fit raises OSError 28 (ENOSPC), as littlefs does on a full board.
import type { BoardEntry } from './vfs-image.ts';

/** The few Emscripten FS calls used here (the port ships no types). */
interface FsNode {
  mode: number;
  usedBytes?: number;
  node_ops: Record<string, unknown>;
}
interface FsStream {
  node: FsNode;
  position: number;
}
export interface EmscriptenFs {
  readdir(path: string): string[];
  lstat(path: string): { mode: number };
  isDir(mode: number): boolean;
  isFile(mode: number): boolean;
  mkdir(path: string): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array): void;
  lookupPath(path: string): { node: FsNode };
  write(stream: FsStream, buffer: Uint8Array, offset: number, length: number, position?: number, canOwn?: boolean): number;
  unmount(path: string): void;
  ErrnoError: new (errno: number) => Error;
}

/** littlefs on the ESP32 works in 4 KiB blocks; a file takes at least one, a directory a metadata pair. */
export const FS_BLOCK = 4096;
/** The ESP32's newlib numbers ENOSPC 28; MicroPython raises the number it gets, so this is what a board shows. */
const ENOSPC = 28;
/** Emscripten's scaffolding at the root, which a board does not have. */
const HIDDEN_AT_ROOT = new Set(['tmp', 'home', 'dev', 'proc']);

export class BoardFiles {
  constructor(
    private readonly fs: EmscriptenFs,
    /** Bytes the partition holds. */
    readonly capacity: number,
  ) {}

  /** Clears Emscripten's directories from the root, hides what cannot be removed, and puts the board's limits in. */
  prepare(): void {
    const fs = this.fs;
    for (const name of ['tmp', 'home', 'dev']) {
      try {
        this.removeTree(`/${name}`);
      } catch {
        // already gone, or busy: hidden below either way
      }
    }
    const root = fs.lookupPath('/').node;
    const dirOps = root.node_ops;
    const readdir = dirOps.readdir as (node: FsNode) => string[];
    const blocks = Math.floor(this.capacity / FS_BLOCK);
    // MEMFS shares one node_ops object among its directories: these apply to every directory of this instance.
    dirOps.readdir = (node: FsNode) => (node === root ? readdir(node).filter((n) => !HIDDEN_AT_ROOT.has(n)) : readdir(node));
    dirOps.statfs = () => {
      const free = Math.max(0, blocks - this.usedBlocks());
      return { bsize: FS_BLOCK, frsize: FS_BLOCK, blocks, bfree: free, bavail: free, namelen: 255 };
    };
    const write = fs.write.bind(fs);
    fs.write = (stream, buffer, offset, length, position, canOwn) => {
      const node = stream.node;
      if (fs.isFile(node.mode)) {
        const end = (position ?? stream.position) + length;
        const now = node.usedBytes ?? 0;
        if (end > now && this.usedBlocks() - fileBlocks(now) + fileBlocks(end) > blocks) throw new fs.ErrnoError(ENOSPC);
      }
      return write(stream, buffer, offset, length, position, canOwn);
    };
  }

  /** Puts the files the partition held in place (on a freshly loaded interpreter). */
  restore(entries: readonly BoardEntry[]): void {
    for (const entry of entries) {
      if (entry.kind === 'dir') this.fs.mkdir(`/${entry.path}`);
      else this.fs.writeFile(`/${entry.path}`, entry.bytes);
    }
  }

  /** Every directory and file under "/", parents before children, in a stable order. */
  snapshot(): BoardEntry[] {
    const entries: BoardEntry[] = [];
    const walk = (dir: string): void => {
      for (const name of this.fs.readdir(dir === '' ? '/' : `/${dir}`).sort()) {
        if (name === '.' || name === '..') continue;
        const path = dir === '' ? name : `${dir}/${name}`;
        const mode = this.fs.lstat(`/${path}`).mode;
        if (this.fs.isDir(mode)) {
          entries.push({ kind: 'dir', path });
          walk(path);
        } else if (this.fs.isFile(mode)) {
          entries.push({ kind: 'file', path, bytes: this.fs.readFile(`/${path}`) });
        }
      }
    };
    walk('');
    return entries;
  }

  usedBlocks(): number {
    // Two blocks of root metadata, as littlefs keeps; then each directory's pair and each file's data.
    let used = 2;
    const walk = (dir: string): void => {
      for (const name of this.fs.readdir(dir)) {
        if (name === '.' || name === '..') continue;
        const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
        const node = this.fs.lookupPath(path).node;
        if (this.fs.isDir(node.mode)) {
          used += 2;
          walk(path);
        } else {
          used += fileBlocks(node.usedBytes ?? 0);
        }
      }
    };
    walk('/');
    return used;
  }

  private removeTree(path: string): void {
    const mode = this.fs.lstat(path).mode;
    if (!this.fs.isDir(mode)) {
      this.fs.unlink(path);
      return;
    }
    for (const name of this.fs.readdir(path)) if (name !== '.' && name !== '..') this.removeTree(`${path}/${name}`);
    this.fs.rmdir(path);
  }
}

function fileBlocks(size: number): number {
  return Math.max(1, Math.ceil(size / FS_BLOCK));
}
