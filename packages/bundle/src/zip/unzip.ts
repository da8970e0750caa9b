// Unpacks a zip entry by entry, checking names, limits, sizes and CRCs. Inflation uses the platform's
// DecompressionStream (native zlib): several times faster than a JavaScript inflater, and it streams.
import { crc32 } from '../crc32.ts';
import { BundleError } from '../errors.ts';
import { formatBytes, type BundleLimits } from '../limits.ts';
import { checkEntryName } from './entry-name.ts';
import { readLocalHeader, readZipDirectory, type ZipEntry } from './directory.ts';
import { discardBytes } from './discard-bytes.ts';

export interface UnzippedFile {
  path: string;
  /** Valid only until the next file is requested: the buffer is reused. */
  bytes: Uint8Array;
  /** The bytes as a Blob: a slice of the zip for stored entries (no copy), else a new Blob. */
  blob: Blob;
}

interface PlannedEntry {
  path: string;
  entry: ZipEntry;
  dataStart: number;
}

const RETRY_HINT = 'Fetch the release again; if it keeps failing, ask its publisher for a new zip.';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Checks the whole directory against the limits and the local headers before anything is inflated. */
async function planEntries(zip: Blob, zipName: string, limits: BundleLimits): Promise<PlannedEntry[]> {
  const { entries, centralDirectoryOffset } = await readZipDirectory(zip, zipName);
  if (entries.length > limits.maxFiles) {
    throw new BundleError('zip-bomb', `${zipName} holds ${entries.length} entries; FieldFlash accepts at most ${limits.maxFiles}.`, {
      file: zipName,
      hint: 'A release needs a handful of files. Check that this is the right zip.',
    });
  }
  const seen = new Set<string>();
  const planned: PlannedEntry[] = [];
  let total = 0;
  for (const entry of entries) {
    const path = checkEntryName(entry.rawName, zipName, { backslashSeparates: entry.backslashSeparates });
    const key = path.replace(/\/$/, '');
    if (seen.has(key)) {
      throw new BundleError('duplicate-entry', `${zipName} holds "${key}" twice; FieldFlash cannot tell which one is meant.`, {
        file: key,
        hint: 'Re-create the zip so that every file appears once.',
      });
    }
    seen.add(key);
    if (entry.isDirectory) continue;
    if (entry.flags & 0x1) {
      throw new BundleError('unsupported-zip', `${path} in ${zipName} is encrypted.`, { file: path, hint: 'Zip the release without a password.' });
    }
    if (entry.method !== 0 && entry.method !== 8) {
      throw new BundleError('unsupported-zip', `${path} in ${zipName} uses compression method ${entry.method}; FieldFlash reads stored and deflated entries.`, {
        file: path,
        hint: 'Re-create the zip with standard (deflate) compression.',
      });
    }
    const bomb = (why: string) =>
      new BundleError('zip-bomb', `${path} in ${zipName} ${why}, so FieldFlash refuses to unpack it.`, {
        file: path,
        hint: 'This is not what a firmware release looks like. If it is genuine, raise the bundle limits in the settings.',
      });
    if (entry.uncompressedSize > limits.maxFileSize) {
      throw bomb(`would unpack to ${formatBytes(entry.uncompressedSize)}, more than the ${formatBytes(limits.maxFileSize)} allowed for one file`);
    }
    total += entry.uncompressedSize;
    if (total > limits.maxTotalSize) {
      throw bomb(`brings the bundle to ${formatBytes(total)} unpacked, more than the ${formatBytes(limits.maxTotalSize)} allowed`);
    }
    if (entry.method === 8 && entry.uncompressedSize > 0 && entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio) {
      const ratio = entry.compressedSize === 0 ? 'an infinite' : `a ${Math.round(entry.uncompressedSize / entry.compressedSize)}:1`;
      throw bomb(`claims ${ratio} compression ratio (${formatBytes(entry.compressedSize)} unpacking to ${formatBytes(entry.uncompressedSize)}; the limit is ${limits.maxCompressionRatio}:1)`);
    }
    if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
      throw new BundleError('size-mismatch', `${path} in ${zipName} is stored uncompressed, yet its header gives ${entry.compressedSize} stored and ${entry.uncompressedSize} unpacked bytes.`, {
        file: path,
        hint: RETRY_HINT,
      });
    }
    const local = await readLocalHeader(zip, entry);
    if (!local) {
      const code = entry.localHeaderOffset >= zip.size ? 'truncated-zip' : 'corrupt-zip';
      throw new BundleError(code, `${zipName}: the data of ${path} is missing (no local header at offset ${entry.localHeaderOffset}).`, { file: path, hint: RETRY_HINT });
    }
    if (!sameBytes(local.nameBytes, entry.nameBytes)) {
      throw new BundleError('corrupt-zip', `${zipName}: ${path} is named differently in its local header and in the table of contents.`, { file: path, hint: RETRY_HINT });
    }
    if ((local.flags & 0x8) === 0) {
      const lies: string[] = [];
      if (local.uncompressedSize !== 0xffffffff && local.uncompressedSize !== entry.uncompressedSize) lies.push(`${local.uncompressedSize} vs ${entry.uncompressedSize} unpacked bytes`);
      if (local.compressedSize !== 0xffffffff && local.compressedSize !== entry.compressedSize) lies.push(`${local.compressedSize} vs ${entry.compressedSize} packed bytes`);
      if (lies.length > 0) {
        throw new BundleError('size-mismatch', `${zipName}: the headers of ${path} disagree about its size (${lies.join(', ')}).`, { file: path, hint: RETRY_HINT });
      }
      if (local.crc32 !== entry.crc32) {
        throw new BundleError('crc-mismatch', `${zipName}: the headers of ${path} disagree about its CRC-32.`, { file: path, hint: RETRY_HINT });
      }
    }
    if (local.dataStart + entry.compressedSize > centralDirectoryOffset) {
      throw new BundleError('truncated-zip', `${zipName}: ${path} claims ${entry.compressedSize} packed bytes, more than the zip holds.`, { file: path, hint: RETRY_HINT });
    }
    planned.push({ path, entry, dataStart: local.dataStart });
  }
  // Entries sharing bytes are the trick of non-recursive zip bombs; honest zips never overlap.
  const byOffset = [...planned].sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const cur = byOffset[i]!;
    if (prev.dataStart + prev.entry.compressedSize > cur.entry.localHeaderOffset) {
      throw new BundleError('zip-bomb', `${zipName}: the data of ${prev.path} overlaps ${cur.path}; zips built to explode look like this.`, {
        file: prev.path,
        hint: 'This is not an ordinary zip. Ask the publisher for the release again.',
      });
    }
  }
  return planned;
}

/** How much of a zip is read at a time. */
const PIECE_SIZE = 1 << 20;

/**
 * The bytes of `blob`, a piece at a time, each piece a buffer of its own that nothing else holds (so it can be
 * discarded once used). The next piece is read while the caller works on this one.
 */
async function* piecesOf(blob: Blob): AsyncGenerator<Uint8Array> {
  const read = (at: number) => {
    const piece = blob.slice(at, at + PIECE_SIZE).arrayBuffer();
    piece.catch(() => undefined); // awaited below; a caller that stops early leaves it unobserved
    return piece;
  };
  for (let at = 0, next = blob.size > 0 ? read(0) : undefined; next; ) {
    const piece = new Uint8Array(await next);
    at += PIECE_SIZE;
    next = at < blob.size ? read(at) : undefined;
    yield piece;
  }
}

/** The packed bytes as a stream for the inflater; every piece handed over is kept in `handed` to be discarded later. */
function packedStream(blob: Blob, handed: Uint8Array[]): ReadableStream<Uint8Array> {
  const pieces = piecesOf(blob);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await pieces.next();
        if (done) return controller.close();
        handed.push(value);
        controller.enqueue(value);
      },
      async cancel() {
        await pieces.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Copies `source` (through `inflater`, if any) into `target`, refusing more or fewer bytes than it holds.
 * Returns the CRC-32 of what arrived, computed chunk by chunk: one long call over a whole image runs in a slow
 * compiler tier on a fresh page, while short calls get optimised early. Every buffer read along the way is
 * discarded as soon as it is no longer needed, so an import leaves nothing behind for the garbage collector.
 */
async function readInto(source: Blob, inflater: DecompressionStream | undefined, target: Uint8Array, path: string, zipName: string, onBytes: (n: number) => void): Promise<number> {
  const expected = target.length;
  let filled = 0;
  let crc = 0;
  const lie = (why: string) =>
    new BundleError('size-mismatch', `${zipName}: ${path} ${why}.`, { file: path, hint: 'The zip header lies about the size. Ask the publisher for a new zip.' });
  // Each packed piece is handed to the inflater as its own buffer and stays the inflater's until the entry has been
  // unpacked: a resolved write() only means the inflater accepted it (Node's zlib reads it later, on its thread pool).
  const handed: Uint8Array[] = [];
  const feeding = inflater ? packedStream(source, handed).pipeTo(inflater.writable as WritableStream<Uint8Array>) : undefined;
  feeding?.catch(() => undefined);
  const chunks: AsyncIterator<Uint8Array> = inflater ? readerIterator(inflater.readable.getReader()) : piecesOf(source);
  try {
    for (;;) {
      const { done, value } = await chunks.next();
      if (done) break;
      if (filled + value.length > expected) {
        await chunks.return?.(undefined)?.catch(() => undefined);
        throw lie(`unpacks to more than the ${expected} bytes its header declares`);
      }
      target.set(value, filled);
      crc = crc32(value, crc);
      filled += value.length;
      discardBytes(value); // an inflated chunk, or a stored piece: copied, and the inflater is done with it
      onBytes(value.length);
    }
    await feeding;
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError('corrupt-zip', `${zipName}: the compressed data of ${path} is damaged (${(err as Error).message}).`, {
      file: path,
      hint: RETRY_HINT,
      cause: err,
    });
  }
  // The inflater has read every packed piece (its output is complete); after a failure they are left to the collector.
  handed.forEach(discardBytes);
  if (filled !== expected) throw lie(`unpacks to ${filled} bytes, but its header declares ${expected}`);
  return crc;
}

/** A stream reader as an iterator whose `return` cancels the stream. */
function readerIterator(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncIterator<Uint8Array> {
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    async return() {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

/**
 * Yields the files of a zip one at a time, each checked against its CRC-32, so that only one file's bytes
 * need to be in memory at once.
 */
export async function* unzipFiles(
  zip: Blob,
  zipName: string,
  limits: BundleLimits,
  onProgress?: (done: number, total: number) => void,
  /** Entries to leave out after their names and sizes passed every check: they are never inflated. */
  skip?: (path: string) => boolean,
): AsyncGenerator<UnzippedFile> {
  const planned = (await planEntries(zip, zipName, limits)).filter((p) => !skip?.(p.path));
  const total = planned.reduce((sum, p) => sum + p.entry.uncompressedSize, 0);
  // One buffer, reused for every entry: no file's bytes become garbage, which keeps the heap near one file's size.
  const scratch = new Uint8Array(planned.reduce((max, p) => Math.max(max, p.entry.uncompressedSize), 0));
  let done = 0;
  onProgress?.(0, total);
  try {
    for (const { path, entry, dataStart } of planned) {
      const stored = zip.slice(dataStart, dataStart + entry.compressedSize);
      const bytes = scratch.subarray(0, entry.uncompressedSize);
      const inflater = entry.method === 8 ? new DecompressionStream('deflate-raw') : undefined;
      const crc = await readInto(stored, inflater, bytes, path, zipName, (n) => {
        done += n;
      });
      if (crc !== entry.crc32) {
        throw new BundleError('crc-mismatch', `${zipName}: ${path} fails its CRC-32 check; the bytes are damaged.`, {
          file: path,
          hint: RETRY_HINT,
        });
      }
      onProgress?.(done, total);
      // Stored entries stay a slice of the zip; inflated ones are copied once, out of the JS heap into a Blob.
      yield { path, bytes, blob: entry.method === 0 ? stored : new Blob([bytes as Uint8Array<ArrayBuffer>]) };
    }
  } finally {
    // The caller was told each file's bytes are valid until it asks for the next: after the last, nobody reads them.
    discardBytes(scratch);
  }
}
