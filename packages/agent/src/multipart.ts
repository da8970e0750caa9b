// A streaming multipart/form-data reader for the compatibility endpoints: the first file part is handed on piece
// by piece as it arrives, never held whole. Other parts are skipped; the field name is not checked (ESPHome does not).

export interface FilePart {
  field: string;
  filename: string;
  size: number;
}

export function multipartBoundary(contentType: string | undefined): string | null {
  const match = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]!) : null;
}

type State = 'preamble' | 'headers' | 'body' | 'boundary' | 'done';

/** Reads `body` and calls `onData` with the first file part's bytes, in order; resolves with that part's name and size. */
export async function readFilePart(body: AsyncIterable<Uint8Array>, boundary: string, onData: (piece: Uint8Array) => Promise<void>): Promise<FilePart> {
  const delimiter = Buffer.from(`--${boundary}`);
  const bodyEnd = Buffer.from(`\r\n--${boundary}`);
  let buffer = Buffer.alloc(0);
  let state: State = 'preamble';
  let file: FilePart | null = null;
  let inFile = false;
  let done = false;

  const step = async (): Promise<boolean> => {
    switch (state) {
      case 'preamble': {
        const at = buffer.indexOf(delimiter);
        if (at < 0) return false;
        buffer = buffer.subarray(at);
        state = 'boundary';
        return true;
      }
      case 'boundary': {
        if (buffer.length < delimiter.length + 2) return false;
        const after = buffer.subarray(delimiter.length, delimiter.length + 2).toString('latin1');
        if (after === '--') {
          state = 'done';
          return false;
        }
        if (after !== '\r\n') throw new Error('the multipart body has a malformed boundary line');
        buffer = buffer.subarray(delimiter.length + 2);
        state = 'headers';
        return true;
      }
      case 'headers': {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffer.length > 16384) throw new Error('a multipart part has more than 16 KiB of headers');
          return false;
        }
        const headers = buffer.subarray(0, end).toString('utf8');
        buffer = buffer.subarray(end + 4);
        const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
        const filename = /filename="([^"]*)"/i.exec(disposition)?.[1];
        inFile = file === null && filename !== undefined;
        if (inFile) file = { field: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '', filename: filename!, size: 0 };
        state = 'body';
        return true;
      }
      case 'body': {
        const at = buffer.indexOf(bodyEnd);
        const usable = at >= 0 ? at : Math.max(0, buffer.length - bodyEnd.length + 1);
        if (usable > 0 && inFile && file) {
          const piece = buffer.subarray(0, usable);
          file.size += piece.length;
          await onData(piece);
        }
        buffer = buffer.subarray(usable);
        if (at < 0) return false;
        buffer = buffer.subarray(2);
        inFile = false;
        state = 'boundary';
        return true;
      }
      case 'done':
        return false;
    }
  };

  for await (const piece of body) {
    buffer = buffer.length ? Buffer.concat([buffer, piece]) : Buffer.from(piece);
    while (!done && (await step()));
    if ((state as State) === 'done') done = true;
    // Copy the leftover so the request's own buffers are not kept alive.
    if (buffer.length) buffer = Buffer.from(buffer);
  }
  if ((state as State) !== 'done') throw new Error('the multipart body ended before its closing boundary (the upload was cut off?)');
  if (!file) throw new Error('the multipart body has no file part');
  return file;
}
