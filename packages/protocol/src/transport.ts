// What the update client needs from a link to a device: requests with JSON replies, chunk uploads, and over HTTP
// the rest of an image in one request.
// Two implementations: HTTP through fetch (http-transport.ts) and an RTCDataChannel (datachannel-transport.ts).

import type { Method } from './api.ts';

export interface Reply {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  /** Seconds from a Retry-After header, where the transport has headers. */
  retryAfter?: number;
}

export interface ChunkUpload {
  sha256: string;
  offset: number;
  bytes: Uint8Array;
  /** RFC 9530 Content-Digest of `bytes`. */
  digest: string;
}

/** The rest of an image from `offset`, sent in one request without Content-Digest (docs/protocol.md §4.6). */
export interface RestUpload {
  sha256: string;
  offset: number;
  /** The image's bytes from `offset` to its end. */
  body: Blob;
  /** Called as the body goes out, with the bytes of it sent so far. */
  onSent?(bytes: number): void;
  signal?: AbortSignal;
}

export interface Transport {
  readonly kind: 'http' | 'webrtc';
  /** One request; `path` is below the API base, e.g. `/updates`. Rejects with LinkError when the link fails. */
  request(method: Method, path: string, body?: unknown): Promise<Reply>;
  sendChunk(chunk: ChunkUpload): Promise<Reply>;
  /** The single-request upload, where the transport has it: HTTP only, the data channel always sends chunks. */
  sendRest?(upload: RestUpload): Promise<Reply>;
  close(): void;
}

/** The link failed (connection refused or reset, channel closed, no answer in time): worth retrying. */
export class LinkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkError';
  }
}
