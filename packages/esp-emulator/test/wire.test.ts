// Bytes on the line: baud-rate mismatch and wire time.
import { describe, expect, it, vi } from 'vitest';
import { resampleUart } from '../src/baud-mismatch.ts';
import { PacedLine } from '../src/wire.ts';

const text = new TextEncoder().encode('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n');

describe('baud-rate mismatch', () => {
  it('decodes correctly within a couple of percent', () => {
    expect(resampleUart(text, 115200, 115200 * 1.02)).toEqual(text);
    expect(resampleUart(text, 115200, 115200 * 0.98)).toEqual(text);
  });

  it('turns text into garbage when the rates are far apart, in either direction', () => {
    const slowReader = resampleUart(text, 921600, 115200);
    const fastReader = resampleUart(text, 115200, 921600);
    expect(slowReader.length).toBeLessThan(text.length);
    expect(fastReader.length).toBeGreaterThan(text.length);
    expect(new TextDecoder('latin1').decode(slowReader)).not.toContain('rst');
    expect(new TextDecoder('latin1').decode(fastReader)).not.toContain('rst');
  });
});

describe('wire time', () => {
  it('never delivers faster than 10 bits per byte at the baud rate, and hands bytes over in chunks', async () => {
    const chunks: number[] = [];
    const line = new PacedLine((bytes) => chunks.push(bytes.length), () => true);
    const started = performance.now();
    await line.send(new Uint8Array(2304), 115200); // 200 ms of wire time
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(2304);
    expect(chunks.length).toBeLessThan(2304 / 4);
  });

  it('keeps order and each chunk\'s own baud rate (an answer queued before a baud change leaves at the old rate)', async () => {
    const seen: Array<[number, number]> = [];
    const line = new PacedLine((bytes, baud) => seen.push([bytes[0]!, baud]), () => false);
    void line.send(Uint8Array.of(1), 115200);
    await line.send(Uint8Array.of(2), 921600);
    expect(seen).toEqual([[1, 115200], [2, 921600]]);
  });

  it('hands a short answer over when its wire time is up, without waiting for a timer (browsers stretch nested ones to 4 ms)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // a timer would never fire here
    try {
      const chunks: number[] = [];
      const line = new PacedLine((bytes) => chunks.push(bytes.length), () => true);
      const started = performance.now();
      await line.send(new Uint8Array(14), 921600); // an answer: 0.15 ms of wire time
      expect(chunks).toEqual([14]);
      expect(performance.now() - started).toBeGreaterThanOrEqual((14 * 10_000) / 921600 - 0.01);
    } finally {
      vi.useRealTimers();
    }
  });
});
