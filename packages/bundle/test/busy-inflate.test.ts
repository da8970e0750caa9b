// Inflating in Node, where zlib reads a packed chunk on its thread pool after the write that handed it over has
// resolved: a chunk's buffer must stay the inflater's until zlib has read it. Erased flash (0xff) packs into a tiny
// chunk that inflates over many rounds, the case where a buffer reused too early used to abort the whole process.
import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import { expect, test } from 'vitest';
import { DEFAULT_LIMITS } from '../src/limits.ts';
import { unzipFiles } from '../src/zip/unzip.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('erased flash regions, packed small and inflated large, unzip to their bytes', async () => {
  const zip = new JSZip();
  const parts = [1, 64, 1024].map((kib, i) => {
    const bytes = new Uint8Array(kib * 1024).fill(0xff);
    bytes[i] = 0x00; // each part differs, so a mix-up between them shows
    zip.file(`storage-${kib}k.bin`, bytes);
    return bytes;
  });
  const blob = await zip.generateAsync({ type: 'blob', compression: 'DEFLATE' });
  const read: string[] = [];
  for await (const file of unzipFiles(blob, 'storage.zip', DEFAULT_LIMITS)) read.push(`${file.path} ${sha256(file.bytes)}`);
  expect(read).toEqual(parts.map((bytes, i) => `storage-${[1, 64, 1024][i]}k.bin ${sha256(bytes)}`));
});
