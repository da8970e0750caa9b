// What per-request authentication costs (docs/protocol.md §3.3): the client signing each chunk's request and the
// agent checking its MAC, timed alone for the requests of one transfer, so the share of the transfer it takes shows.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseAuthorization, RequestSigner, requestMacText } from '@fieldflash/protocol';
// Signs as push does: loading the Node transport makes the signer use node:crypto's HMAC.
import '@fieldflash/protocol/node';

/** Seconds both ends spend on the MACs of `requests` chunk requests (median of `trials`). */
export async function macSeconds(requests: number, trials = 5): Promise<number> {
  const key = new Uint8Array(randomBytes(32));
  const digest = `sha-256=:${randomBytes(32).toString('base64')}:`;
  const times: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const signer = new RequestSigner('bench-session', key);
    const started = performance.now();
    for (let i = 0; i < requests; i++) {
      const target = `/fieldflash/v1/updates/${'ab'.repeat(32)}?offset=${i * 245_760}`;
      const auth = parseAuthorization(await signer.authorization('PUT', target, digest));
      if (typeof auth === 'string') throw new Error(auth);
      const expected = createHmac('sha256', key).update(requestMacText({ method: 'PUT', target, digest, counter: auth.counter })).digest();
      if (!timingSafeEqual(expected, Buffer.from(auth.mac, 'hex'))) throw new Error('the MAC does not verify');
    }
    times.push((performance.now() - started) / 1000);
  }
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}
