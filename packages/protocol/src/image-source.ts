// Where the client reads the image from: a Blob (a stored release file in the page, or a file in Node),
// read one chunk at a time so no second copy of the image is ever made.

export interface ImageSource {
  /** Lower-case hex SHA-256 of the whole image, known in advance (the bundle reader computed it). */
  sha256: string;
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function blobImage(blob: Blob, sha256: string): ImageSource {
  return {
    sha256,
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

export function bytesImage(bytes: Uint8Array, sha256: string): ImageSource {
  return { sha256, size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}
