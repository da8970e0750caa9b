// The streaming multipart reader: whatever the split of the body into pieces, the file part comes out byte for byte.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multipartBoundary, readFilePart } from '../src/multipart.ts';

const BOUNDARY = '----FieldFlashBoundary7MA4YWxkTrZu0gW';

function body(file: Uint8Array, extraField = true): Buffer {
  const parts: Buffer[] = [];
  if (extraField) parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n`));
  parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="update"; filename="firmware.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(Buffer.from(file));
  parts.push(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

async function* pieces(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

describe('multipart reader', () => {
  it('reads the boundary from Content-Type, quoted or not', () => {
    expect(multipartBoundary(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(multipartBoundary('application/json')).toBeNull();
  });

  it('returns the file part exactly, however the body is cut into pieces', async () => {
    // Files full of CR, LF and dashes: the bytes most likely to be mistaken for a boundary.
    const fileBytes = fc.uint8Array({ maxLength: 3000 }).map((a) => a.map((b) => [13, 10, 45, 0x2d, b][b % 5]!));
    await fc.assert(
      fc.asyncProperty(fileBytes, fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), async (file, cuts, extra) => {
        const out: Buffer[] = [];
        const part = await readFilePart(pieces(body(file, extra), cuts), BOUNDARY, async (piece) => {
          out.push(Buffer.from(piece));
        });
        expect(part).toEqual({ field: 'update', filename: 'firmware.bin', size: file.length });
        expect(new Uint8Array(Buffer.concat(out))).toEqual(file);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a body cut off before its closing boundary', async () => {
    const whole = body(new Uint8Array(5000).fill(7));
    await expect(readFilePart(pieces(whole.subarray(0, 3000), []), BOUNDARY, async () => {})).rejects.toThrow('ended before its closing boundary');
  });
});
