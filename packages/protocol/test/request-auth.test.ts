// The Authorization header of signed requests: counters taken in order, the same MAC from WebCrypto and from
// node:crypto, and a parser that reads exactly the documented form.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAuthorization, RequestSigner, requestMac, useSyncHmac } from '../src/index.ts';

const key = new Uint8Array(32).fill(7);
const target = '/fieldflash/v1/updates/ab?offset=0';

describe('signed requests', () => {
  it('take a fresh counter for each request, even when signed at once', async () => {
    const signer = new RequestSigner('s-1', key);
    const headers = await Promise.all(Array.from({ length: 5 }, () => signer.authorization('PUT', target, 'sha-256=:x:')));
    const parsed = headers.map((h) => parseAuthorization(h) as { counter: number; mac: string; sessionId: string });
    expect(parsed.map((p) => p.counter)).toEqual([0, 1, 2, 3, 4]);
    expect(parsed[3]!.mac).toBe(await requestMac(key, { method: 'PUT', target, digest: 'sha-256=:x:', counter: 3 }));
    expect(parsed[0]!.sessionId).toBe('s-1');
  });

  it('sign the same with node:crypto as with WebCrypto', async () => {
    const webCrypto = await new RequestSigner('s-1', key).authorization('GET', target, '');
    useSyncHmac((k, text) => createHmac('sha256', k).update(text).digest('hex'));
    expect(await new RequestSigner('s-1', key).authorization('GET', target, '')).toBe(webCrypto);
  });

  it('read only the documented form', () => {
    const mac = 'a'.repeat(64);
    expect(parseAuthorization(`FieldFlash-HMAC session="s-1", counter="12", mac="${mac}"`)).toEqual({ sessionId: 's-1', counter: 12, mac });
    expect(parseAuthorization(`fieldflash-hmac mac="${mac}",counter="0",session="s-1"`)).toEqual({ sessionId: 's-1', counter: 0, mac });
    for (const bad of [
      undefined,
      'Bearer abc',
      `FieldFlash-HMAC session="s-1", counter="012", mac="${mac}"`,
      `FieldFlash-HMAC session="s-1", counter="9007199254740992", mac="${mac}"`,
      `FieldFlash-HMAC session="s-1", counter="-1", mac="${mac}"`,
      `FieldFlash-HMAC session="s 1", counter="1", mac="${mac}"`,
      `FieldFlash-HMAC session="s-1", counter="1", mac="${mac.toUpperCase()}"`,
      `FieldFlash-HMAC session="s-1", counter="1", counter="2", mac="${mac}"`,
      `FieldFlash-HMAC session="s-1", counter="1"`,
      `FieldFlash-HMAC session="s-1", counter="1", mac="${mac}", extra="x"`,
    ]) {
      expect(typeof parseAuthorization(bad), String(bad)).toBe('string');
    }
  });
});
