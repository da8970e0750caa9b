// Random images written to disk a MiB at a time, with their SHA-256: the bench page takes them as Files, so no image
// is ever whole in the page's memory (nor in the benchmark's).
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ImageFile {
  path: string;
  /** The file's name, which the page knows it by. */
  name: string;
  size: number;
  sha256: string;
}

export async function writeImageFile(dir: string, name: string, size: number): Promise<ImageFile> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  for (let written = 0; written < size; ) {
    const piece = randomBytes(Math.min(1 << 20, size - written));
    hash.update(piece);
    if (!out.write(piece)) await once(out, 'drain');
    written += piece.length;
  }
  out.end();
  await once(out, 'close');
  return { path, name, size, sha256: hash.digest('hex') };
}
