import { describe, expect, it } from 'vitest';
import { contentDigest, decodeChunkFrame, decodeReplyFrame, decodeRequestFrame, encodeChunkFrame, encodeReplyFrame, encodeRequestFrame, MessageError } from '../src/index.ts';

const path = `/fieldflash/v1/updates/${'ab'.repeat(32)}`;

describe('data-channel frames', () => {
  it('carries a chunk behind a length-prefixed JSON header, big-endian', async () => {
    const chunk = new Uint8Array(65536).map((_, i) => i % 251);
    const header = { id: 7, method: 'PUT' as const, path, offset: 131072, digest: await contentDigest(chunk) };
    const frame = encodeChunkFrame(header, chunk);
    const headLength = JSON.stringify(header).length;
    expect([...frame.subarray(0, 4)]).toEqual([0, 0, (headLength >> 8) & 0xff, headLength & 0xff]);
    expect(new TextDecoder().decode(frame.subarray(4, 4 + headLength))).toBe(JSON.stringify(header));
    const decoded = decodeChunkFrame(frame.buffer);
    expect(decoded.header).toEqual(header);
    expect(decoded.chunk).toEqual(chunk);
    // A view into a larger buffer decodes the same.
    const padded = new Uint8Array(frame.length + 10);
    padded.set(frame, 10);
    expect(decodeChunkFrame(padded.subarray(10)).chunk).toEqual(chunk);
  });

  it('refuses frames whose header is cut, oversized or wrong, naming the field', async () => {
    expect(() => decodeChunkFrame(new Uint8Array([0, 0]))).toThrow(/too short/);
    expect(() => decodeChunkFrame(new Uint8Array([0, 0, 0, 50, 123]))).toThrow(/does not fit/);
    const bad = encodeChunkFrame({ id: 1, method: 'PUT', path: '/fieldflash/v1/reboot', offset: 0, digest: await contentDigest(new Uint8Array(1)) }, new Uint8Array(1));
    expect(() => decodeChunkFrame(bad)).toThrow(/ChunkFrameHeader\.path/);
    const noDigest = new TextEncoder().encode(JSON.stringify({ id: 1, method: 'PUT', path, offset: 0 }));
    const frame = new Uint8Array(4 + noDigest.length);
    new DataView(frame.buffer).setUint32(0, noDigest.length);
    frame.set(noDigest, 4);
    expect(() => decodeChunkFrame(frame)).toThrow(MessageError);
    expect(() => decodeChunkFrame(frame)).toThrow(/ChunkFrameHeader\.digest/);
  });

  it('round-trips request and reply text frames', () => {
    const request = { id: 3, method: 'POST' as const, path: '/fieldflash/v1/updates', body: { sha256: 'x' } };
    expect(decodeRequestFrame(encodeRequestFrame(request))).toEqual(request);
    expect(decodeRequestFrame(encodeRequestFrame({ id: 4, method: 'GET', path: `${path}?offset=0` })).path).toBe(`${path}?offset=0`);
    expect(decodeReplyFrame(encodeReplyFrame({ id: 3, status: 409, body: { error: { code: 'busy', message: 'm' } } })).status).toBe(409);
    expect(() => decodeRequestFrame('{"id":1,"method":"PATCH","path":"/fieldflash/v1/device"}')).toThrow(/RequestFrame\.method/);
    expect(() => decodeRequestFrame('{nope')).toThrow(/not valid JSON/);
    expect(() => decodeReplyFrame('{"id":1,"status":99}')).toThrow(/ReplyFrame\.status/);
  });
});
