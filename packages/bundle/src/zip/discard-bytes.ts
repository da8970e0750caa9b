// Gives the memory of bytes that were read and copied back to the system at once. Left to the garbage collector,
// the buffers of one import (every piece of the zip, every inflated chunk, the buffer an entry is unpacked into)
// stay allocated until it next runs, which may be during the next import: its peak then stacks on the last one's.

type Transferable = ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer };

/**
 * Detaches the buffer behind `bytes`, freeing it now, where the platform can (ArrayBuffer.prototype.transfer).
 * Only for bytes that are the whole of a buffer this reader was handed and nothing else reads any more; a view
 * into a larger buffer is left alone, as is anything where transfer is missing (Node 20): there the garbage
 * collector frees it as before.
 */
export function discardBytes(bytes: Uint8Array): void {
  const buffer = bytes.buffer as Transferable;
  if (bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength || bytes.byteLength === 0) return;
  if (typeof buffer.transfer !== 'function' || !(buffer instanceof ArrayBuffer)) return;
  buffer.transfer(0);
}
