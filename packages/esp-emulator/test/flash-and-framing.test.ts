// NOR flash semantics and SLIP framing on their own.
import { describe, expect, it } from 'vitest';
import { NorFlash } from '../src/flash.ts';
import { SlipDecoder, slipEncode } from '../src/slip.ts';

describe('NOR flash', () => {
  it('starts erased and programs by AND: writing over old data without erasing corrupts it', () => {
    const flash = new NorFlash(64 * 1024);
    expect(flash.read(0, 16).every((b) => b === 0xff)).toBe(true);
    flash.program(0x100, Uint8Array.of(0xf0, 0xaa));
    flash.program(0x100, Uint8Array.of(0x0f, 0x55));
    expect(Array.from(flash.read(0x100, 2))).toEqual([0x00, 0x00]);
    flash.program(0x200, Uint8Array.of(0b1100_1100));
    flash.program(0x200, Uint8Array.of(0b1010_1010));
    expect(flash.read(0x200, 1)[0]).toBe(0b1000_1000);
  });

  it('erases whole 4 KiB sectors, never less', () => {
    const flash = new NorFlash(64 * 1024);
    flash.program(0, new Uint8Array(0x4000).fill(0));
    flash.eraseRange(0x1001, 1);
    expect(flash.read(0x0fff, 1)[0]).toBe(0x00);
    expect(flash.read(0x1000, 0x1000).every((b) => b === 0xff)).toBe(true);
    expect(flash.read(0x2000, 1)[0]).toBe(0x00);
    expect(() => flash.eraseSector(0x1800)).toThrow(/4 KiB aligned/);
  });

  it('refuses access outside the chip and sizes that are not powers of two', () => {
    const flash = new NorFlash(64 * 1024);
    expect(() => flash.program(0xffff, Uint8Array.of(1, 2))).toThrow(/outside/);
    expect(() => new NorFlash(3 * 1024 * 1024)).toThrow(/power of two/);
  });
});

describe('SLIP', () => {
  it('escapes C0 as DB DC and DB as DB DD', () => {
    expect(Array.from(slipEncode(Uint8Array.of(0x01, 0xc0, 0xdb, 0x02)))).toEqual([0xc0, 0x01, 0xdb, 0xdc, 0xdb, 0xdd, 0x02, 0xc0]);
  });

  it('decodes frames split anywhere, skipping noise between frames', () => {
    const frames: number[][] = [];
    const decoder = new SlipDecoder((f, damaged) => {
      if (!damaged) frames.push(Array.from(f));
    });
    const wire = [0x65, 0x74, ...slipEncode(Uint8Array.of(1, 0xc0, 2)), 0x0d, 0x0a, ...slipEncode(Uint8Array.of(0xdb))];
    for (const b of wire) decoder.push(Uint8Array.of(b));
    expect(frames).toEqual([[1, 0xc0, 2], [0xdb]]);
  });

  it('marks a frame with an invalid escape as damaged', () => {
    const seen: boolean[] = [];
    new SlipDecoder((_f, damaged) => seen.push(damaged)).push(Uint8Array.of(0xc0, 1, 0xdb, 0x00, 2, 0xc0));
    expect(seen).toEqual([true]);
  });
});
