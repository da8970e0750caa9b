// Where the client reads the image from: a Blob (a stored release file in the page, or a file in Node), read one
// chunk at a time so no second copy of the image is ever made, or handed whole to the browser as a request body.

export interface ImageSource {
  /** Lower-case hex SHA-256 of the whole image, known in advance (the bundle reader computed it). */
  sha256: string;
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Reads `length` bytes into `buffer` (at least that long) and returns them as a view of it. The buffer may come back
   * transferred: the caller keeps using the view's buffer, never the one it passed. Lets chunks reuse a few buffers.
   */
  readInto?(offset: number, length: number, buffer: ArrayBuffer): Promise<Uint8Array<ArrayBuffer>>;
  /** The bytes from `offset` to the end, as a body the browser reads from disk itself (docs/protocol.md §4.6). */
  rest?(offset: number): Blob;
}

export function blobImage(blob: Blob, sha256: string): ImageSource {
  return {
    sha256,
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
    readInto: (offset, length, buffer) => readBlobInto(blob.slice(offset, offset + length), length, buffer),
    // A whole File with a path goes as it is: Chromium then reads it from disk in its network service, where a Blob's
    // bytes go through the browser process first (about half the CPU for a File from a file input).
    rest: (offset) => (offset === 0 ? blob : blob.slice(offset)),
  };
}

export function bytesImage(bytes: Uint8Array, sha256: string): ImageSource {
  return {
    sha256,
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    rest: (offset) => new Blob([bytes.subarray(offset) as Uint8Array<ArrayBuffer>]),
  };
}

/**
 * The readers with a read under way. Chromium does not keep a Blob stream alive while its read is pending: a full GC
 * in the middle collects the stream and the read never settles (seen with a GC forced at every sample), so the reader
 * is held here until it is done.
 */
const reading = new Set<ReadableStreamBYOBReader>();

/**
 * Fills `buffer` from the Blob's byte stream with a BYOB reader, so reading a chunk allocates no ArrayBuffer: each
 * chunk read with arrayBuffer() leaves one behind that V8 frees only when it gets round to it, tens of MiB while a
 * large image is sent. Where the stream is no byte stream, the bytes are read whole and copied in.
 */
async function readBlobInto(slice: Blob, length: number, buffer: ArrayBuffer): Promise<Uint8Array<ArrayBuffer>> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = slice.stream().getReader({ mode: 'byob' });
  } catch {
    const view = new Uint8Array(buffer, 0, length);
    view.set(new Uint8Array(await slice.arrayBuffer()));
    return view;
  }
  let view = new Uint8Array(buffer, 0, length);
  let filled = 0;
  reading.add(reader);
  try {
    while (filled < length) {
      const { done, value } = await reader.read(new Uint8Array(view.buffer, filled, length - filled));
      if (done || !value) throw new Error(`The image ended after ${filled} of the ${length} bytes asked for.`);
      filled += value.length;
      view = new Uint8Array(value.buffer, 0, length);
    }
  } finally {
    reading.delete(reader);
    reader.releaseLock();
  }
  return view;
}
