// One PUT whose body is a Blob, with the progress of the upload: what the single-request upload (docs/protocol.md
// §4.6) needs from the page. XMLHttpRequest reports upload progress and sends a Blob straight from disk with a
// Content-Length; fetch reports no upload progress (a streamed fetch body would, but Chromium sends those only over
// HTTP/2, and chunked, which small devices cannot read, §1.3).

export interface BlobPut {
  url: string;
  headers: Record<string, string>;
  body: Blob;
  onSent?(bytes: number): void;
  signal?: AbortSignal;
  /** The request is abandoned when neither a byte of the body nor the reply moved for this long. */
  stallMs: number;
}

export interface RawReply {
  status: number;
  text: string;
  retryAfter: string | null;
}

/** The upload stopped moving: told apart from a network error, so the message can say so. */
export class StalledUpload extends Error {
  constructor(readonly stallMs: number, readonly waitingFor: 'body' | 'reply') {
    super(`nothing moved for ${Math.round(stallMs / 1000)} s while ${waitingFor === 'body' ? 'sending' : 'waiting for the reply'}`);
    this.name = 'StalledUpload';
  }
}

export function canReportUploadProgress(): boolean {
  return typeof XMLHttpRequest !== 'undefined';
}

/**
 * Sends the body with XMLHttpRequest. A network error rejects with a TypeError, as fetch's does, so the caller tells
 * a blocked request from a dropped link the same way for both.
 */
export function putBlobWithProgress({ url, headers, body, onSent, signal, stallMs }: BlobPut): Promise<RawReply> {
  return new Promise<RawReply>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const xhr = new XMLHttpRequest();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      done();
    };
    const watch = (waitingFor: 'body' | 'reply') => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        settle(() => reject(new StalledUpload(stallMs, waitingFor)));
        xhr.abort();
      }, stallMs);
    };
    function onAbort() {
      settle(() => reject(signal!.reason));
      xhr.abort();
    }
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      onSent?.(event.loaded);
      watch('body');
    };
    xhr.upload.onload = () => {
      onSent?.(body.size);
      watch('reply');
    };
    xhr.onload = () => settle(() => resolve({ status: xhr.status, text: xhr.responseText, retryAfter: xhr.getResponseHeader('Retry-After') }));
    xhr.onerror = () => settle(() => reject(new TypeError('XMLHttpRequest: network error')));
    signal?.addEventListener('abort', onAbort, { once: true });
    watch('body');
    xhr.send(body);
  });
}
