// What data-channel frames say (docs/protocol.md §8.2): a request or reply in a text frame, and the JSON header
// in front of a chunk in a binary frame. frames.ts puts them on the wire and takes them off.

import { API_BASE, type Method, METHODS, PATH, UPDATE_PATH } from './api.ts';
import { defined, Fields } from './fields.ts';

/** A text frame from the client: one request, as over HTTP, without a MAC (the channel is authenticated). */
export interface RequestFrame {
  id: number;
  method: Method;
  /** Path with the API base, and a query where HTTP has one. */
  path: string;
  body?: unknown;
}

/** A text frame from the device: the reply to the request with the same id. */
export interface ReplyFrame {
  id: number;
  status: number;
  body?: unknown;
}

/** The JSON header of a binary frame carrying one chunk. */
export interface ChunkFrameHeader {
  id: number;
  method: 'PUT';
  /** `/fieldflash/v1/updates/{sha256}`, without query: the offset is in `offset`. */
  path: string;
  offset: number;
  /** RFC 9530 Content-Digest value of the chunk bytes: `sha-256=:<base64>:`. */
  digest: string;
}

export const CONTENT_DIGEST = /^sha-256=:[A-Za-z0-9+/]{43}=:$/;

export function parseRequestFrame(json: unknown): RequestFrame {
  const f = new Fields(json, 'RequestFrame');
  return defined({
    id: f.int('id', 0, 0xffffffff),
    method: f.oneOf('method', METHODS),
    path: f.string('path', { pattern: PATH, what: `a path under ${API_BASE}` }),
    body: f.raw('body'),
  });
}

export function parseReplyFrame(json: unknown): ReplyFrame {
  const f = new Fields(json, 'ReplyFrame');
  return defined({ id: f.int('id', 0, 0xffffffff), status: f.int('status', 100, 599), body: f.raw('body') });
}

export function parseChunkFrameHeader(json: unknown): ChunkFrameHeader {
  const f = new Fields(json, 'ChunkFrameHeader');
  return {
    id: f.int('id', 0, 0xffffffff),
    method: f.literal('method', 'PUT'),
    path: f.string('path', { pattern: UPDATE_PATH, what: `${API_BASE}/updates/<sha256>` }),
    offset: f.int('offset'),
    digest: f.string('digest', { pattern: CONTENT_DIGEST, what: 'sha-256=:<base64>:' }),
  };
}
