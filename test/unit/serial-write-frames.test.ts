// What a write puts on the wire: commands framed as the chip reads them, and the image deflated block by block.
import { deflate, inflate } from 'pako';
import { describe, expect, test } from 'vitest';
import { SlipDecoder } from '../../packages/esp-emulator/src/slip.ts';
import { dataChecksum, parseRequest } from '../../packages/esp-emulator/src/protocol.ts';
import { BlockDeflater } from '../../src/serial/block-deflater.ts';
import { dataCommand, frameCommand, FLASH_DEFL_DATA, words } from '../../src/serial/loader-exchange.ts';
import { md5Hex } from '../../src/serial/md5.ts';

/** The emulated chip's own SLIP decoder and request parser, on one frame. */
function asTheChipReadsIt(frame: Uint8Array) {
  const frames: Uint8Array[] = [];
  new SlipDecoder((f, damaged) => {
    expect(damaged).toBe(false);
    frames.push(f);
  }).push(frame);
  expect(frames).toHaveLength(1);
  return parseRequest(frames[0]!)!;
}

function firmwareLike(length: number): Uint8Array {
  // Code-like stretches, runs of 0xFF padding, and the bytes SLIP must escape.
  let x = 3;
  return Uint8Array.from({ length }, (_, i) => (i % 50_000 < 8_000 ? 0xff : i % 97 === 0 ? 0xc0 : i % 89 === 0 ? 0xdb : (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 27));
}

describe('framing', () => {
  test('a command reaches the chip with its op, length, checksum and data, C0 and DB escaped', () => {
    const data = Uint8Array.of(0xc0, 0x01, 0xdb, 0xdc, 0xc0, 0xdd);
    const request = asTheChipReadsIt(frameCommand(0x42, data, 0x1234_c0db));
    expect(request).toMatchObject({ op: 0x42, declaredLength: data.length, checksum: 0x1234_c0db });
    expect(Array.from(request.data)).toEqual(Array.from(data));
  });

  test('a data block carries <length, seq, 0, 0>, the block, and the checksum the stub checks', () => {
    const block = firmwareLike(0x4000);
    const request = asTheChipReadsIt(dataCommand(7, block).frame);
    expect(request.op).toBe(FLASH_DEFL_DATA);
    expect(Array.from(request.data.subarray(0, 16))).toEqual(Array.from(words(block.length, 7, 0, 0)));
    expect(request.data.subarray(16)).toEqual(block);
    expect(request.checksum).toBe(dataChecksum(block));
  });
});

describe('deflating block by block', () => {
  test('gives the stream one deflate call gives, in blocks the stub takes, each knowing the image bytes it holds', () => {
    const image = firmwareLike(700_000);
    const deflater = new BlockDeflater(image, 0x4000);
    const blocks = [];
    for (let b = deflater.next(); b; b = deflater.next()) blocks.push(b);
    const stream = new Uint8Array(blocks.reduce((n, b) => n + b.bytes.length, 0));
    let at = 0;
    for (const b of blocks) {
      stream.set(b.bytes, at);
      at += b.bytes.length;
    }
    expect(stream).toEqual(deflate(image, { level: 9 }));
    expect(blocks.slice(0, -1).every((b) => b.bytes.length === 0x4000)).toBe(true);
    expect(blocks.map((b) => b.seq)).toEqual(blocks.map((_, i) => i));
    expect(deflater.compressedBytes).toBe(stream.length);
    expect(deflater.imageMd5()).toBe(md5Hex(image));
    // Each block's share of the image is exact: consecutive, covering the image.
    let expectedStart = 0;
    for (const b of blocks) {
      expect(b.imageStart).toBe(expectedStart);
      expectedStart += b.imageLength;
    }
    expect(expectedStart).toBe(image.length);
    expect(inflate(stream)).toEqual(image);
  });
});
