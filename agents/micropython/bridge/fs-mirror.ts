// The board's filesystem (LittleFS on an ESP32) as a host directory: the interpreter's in-memory filesystem is
// filled from DIR/flash at each boot, and every change the board makes (write, truncate, create, rename, remove)
// is written through to it at once, so a restart (a fresh interpreter) finds what the board had written. After
// the board loses power, changes fail with EIO, as writes to flash do; each change asks first (`change()`), which
// is where a test cuts the power between two of them.
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Paths the bridge puts there itself at each boot, never written back: the agent's code and the board's settings. */
const NOT_MIRRORED = ['/lib', '/dev', '/proc', '/tmp', '/home', '/board.json', '/main.py'];

// Emscripten's FS is untyped; these are the few members used here.
/* eslint-disable @typescript-eslint/no-explicit-any */
type EmFs = any;

const EIO = 29;

/** Puts the .py files of a host folder (the agent's package) into the interpreter's filesystem at `to`. */
export function copyPythonTree(FS: EmFs, from: string, to: string): void {
  FS.mkdir(to);
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) copyPythonTree(FS, path, `${to}/${name}`);
    else if (name.endsWith('.py')) FS.writeFile(`${to}/${name}`, readFileSync(path));
  }
}

export function mirrored(path: string): boolean {
  return !NOT_MIRRORED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Copies the host directory into the interpreter's filesystem at `/`. */
export function loadTree(FS: EmFs, hostDir: string, at = '/'): void {
  mkdirSync(hostDir, { recursive: true });
  for (const name of readdirSync(hostDir)) {
    const host = join(hostDir, name);
    const path = `${at === '/' ? '' : at}/${name}`;
    if (statSync(host).isDirectory()) {
      if (!existsIn(FS, path)) FS.mkdir(path);
      loadTree(FS, host, path);
    } else {
      FS.writeFile(path, readFileSync(host));
    }
  }
}

function existsIn(FS: EmFs, path: string): boolean {
  try {
    FS.lookupPath(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes every later change under mirrored paths through to `hostDir`; `change()` false makes one fail (EIO). */
export function mirrorChanges(FS: EmFs, hostDir: string, change: () => boolean): void {
  FS.writeFile('/tmp/.mirror-probe', '');
  const file = FS.lookupPath('/tmp/.mirror-probe').node;
  const dir = FS.lookupPath('/tmp').node;
  const host = (path: string): string => join(hostDir, path);
  const guard = (path: string): boolean => {
    if (!mirrored(path)) return false;
    if (!change()) throw new FS.ErrnoError(EIO);
    return true;
  };
  const child = (parent: unknown, name: string): string => `${FS.getPath(parent) === '/' ? '' : FS.getPath(parent)}/${name}`;

  const stream = file.stream_ops;
  const write = stream.write;
  stream.write = (s: any, buffer: Uint8Array, offset: number, length: number, position: number, canOwn: boolean) => {
    const path = FS.getPath(s.node);
    const mirror = guard(path);
    const written = write(s, buffer, offset, length, position, canOwn);
    if (mirror && written > 0) {
      const fd = openSync(host(path), 'r+');
      try {
        writeSync(fd, new Uint8Array(buffer.buffer, buffer.byteOffset + offset, written), 0, written, position);
      } finally {
        closeSync(fd);
      }
    }
    return written;
  };
  const fileNode = file.node_ops;
  const setattr = fileNode.setattr;
  fileNode.setattr = (node: any, attr: any) => {
    const path = FS.getPath(node);
    const mirror = attr.size !== undefined && guard(path);
    setattr(node, attr);
    if (mirror) truncateSync(host(path), attr.size);
  };
  const ops = dir.node_ops;
  const { mknod, rename, unlink, rmdir } = ops;
  ops.mknod = (parent: any, name: string, mode: number, dev: number) => {
    const path = child(parent, name);
    const mirror = guard(path);
    const node = mknod(parent, name, mode, dev);
    if (mirror) {
      if (FS.isDir(mode)) mkdirSync(host(path), { recursive: true });
      else if (FS.isFile(mode)) closeSync(openSync(host(path), 'w'));
    }
    return node;
  };
  ops.rename = (node: any, newDir: any, newName: string) => {
    const from = FS.getPath(node);
    const to = child(newDir, newName);
    const mirror = guard(to) && mirrored(from);
    rename(node, newDir, newName);
    if (mirror) renameSync(host(from), host(to));
  };
  ops.unlink = (parent: any, name: string) => {
    const path = child(parent, name);
    const mirror = guard(path);
    unlink(parent, name);
    if (mirror) rmSync(host(path), { force: true });
  };
  ops.rmdir = (parent: any, name: string) => {
    const path = child(parent, name);
    const mirror = guard(path);
    rmdir(parent, name);
    if (mirror) rmSync(host(path), { recursive: true, force: true });
  };
  FS.unlink('/tmp/.mirror-probe');
}
