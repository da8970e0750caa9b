// Data-channel frames: text frames carry requests and replies as JSON; binary frames carry one chunk each as
// [u32 big-endian header length][header JSON][chunk bytes].

import { MessageError, parseJson } from './fields.ts';
import {
  type ChunkFrameHeader,
  parseChunkFrameHeader,
  parseReplyFrame,
  parseRequestFrame,
  type ReplyFrame,
  type RequestFrame,
} from './frame-messages.ts';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Largest binary frame header accepted; a chunk header is ~200 bytes. */
export const MAX_FRAME_HEADER = 4096;

export function encodeRequestFrame(frame: RequestFrame): string {
  return JSON.stringify(frame);
}

export function encodeReplyFrame(frame: ReplyFrame): string {
  return JSON.stringify(frame);
}

export const decodeRequestFrame = (text: string): RequestFrame => parseRequestFrame(parseJson(text, 'RequestFrame'));
export const decodeReplyFrame = (text: string): ReplyFrame => parseReplyFrame(parseJson(text, 'ReplyFrame'));

/**
 * One binary frame: the header and the chunk copied behind it (the one copy a message needs). Written into `into`
 * when it is large enough, so a sender whose channel copies on send can use one buffer for every frame.
 */
export function encodeChunkFrame(header: ChunkFrameHeader, chunk: Uint8Array, into?: ArrayBuffer): Uint8Array<ArrayBuffer> {
  const head = utf8.encode(JSON.stringify(header));
  const length = 4 + head.length + chunk.length;
  const frame = into && into.byteLength >= length ? new Uint8Array(into, 0, length) : new Uint8Array(length);
  new DataView(frame.buffer, frame.byteOffset).setUint32(0, head.length, false);
  frame.set(head, 4);
  frame.set(chunk, 4 + head.length);
  return frame;
}

export interface ChunkFrame {
  header: ChunkFrameHeader;
  /** A view into the frame, not a copy. */
  chunk: Uint8Array;
}

export function decodeChunkFrame(data: ArrayBuffer | ArrayBufferView): ChunkFrame {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 4) throw new MessageError('ChunkFrame', `too short (${bytes.length} bytes) to hold a header length`);
  const headLength = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  if (headLength > MAX_FRAME_HEADER || 4 + headLength > bytes.length) {
    throw new MessageError('ChunkFrame', `header length ${headLength} does not fit a ${bytes.length}-byte frame`);
  }
  let headText: string;
  try {
    headText = utf8Decoder.decode(bytes.subarray(4, 4 + headLength));
  } catch {
    throw new MessageError('ChunkFrameHeader', 'not valid UTF-8');
  }
  const headJson = parseJson(headText, 'ChunkFrameHeader');
  return { header: parseChunkFrameHeader(headJson), chunk: bytes.subarray(4 + headLength) };
}
