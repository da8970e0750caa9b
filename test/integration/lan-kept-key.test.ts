// Logging in with a kept pairing key (docs/protocol.md §3.1) against the real reference agent: the key derived at
// pairing is a non-extractable CryptoKey, updates run with it and no secret, and a device whose secret was set again
// (a new salt) is told apart before any proof is sent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authenticate, HttpTransport, KeptKeySource, PairingChanged, PairingKeys, updateDevice } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { deviceDir, PASSWORD, release, sha256File, testImage } from './agent-support.ts';

const running: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of running.splice(0)) await agent.close();
});

async function agentAt(dir: string, password = PASSWORD): Promise<RunningAgent> {
  const agent = await startAgent({ dir, password, version: '1.0.0', webrtc: false, log: () => {} });
  running.push(agent);
  return agent;
}

describe('a kept pairing key', () => {
  it('is non-extractable, and an update logs in with it alone to confirmed', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const keys = new PairingKeys(PASSWORD);
    const http = new HttpTransport({ url: agent.url, clientId: 'kept-key-test' });
    const kept = await keys.kept(await authenticate(http, keys, 'kept-key-test'));
    expect(kept.key.extractable).toBe(false);
    expect(kept.key.algorithm).toMatchObject({ name: 'HMAC' });
    await expect(crypto.subtle.exportKey('raw', kept.key)).rejects.toThrow();
    expect(kept).toMatchObject({ salt: JSON.parse(readFileSync(join(dir, 'auth.json'), 'utf8')).salt, iterations: expect.any(Number) });

    const image = testImage(300_000);
    const verdict = await updateDevice({ url: agent.url, keys: new KeptKeySource(kept), clientId: 'kept-key-test', release: release('1.1.0'), image: image.source });
    expect(verdict).toMatchObject({ outcome: 'confirmed', slot: 'b', version: '1.1.0' });
    expect(sha256File(join(dir, 'slots', 'b.img'))).toBe(image.sha256);
  });

  it('refuses to log in once the device was given a new secret, sending no proof', async () => {
    const dir = deviceDir();
    const first = await agentAt(dir);
    const keys = new PairingKeys(PASSWORD);
    const kept = await keys.kept(await authenticate(new HttpTransport({ url: first.url, clientId: 'kept-key-test' }), keys, 'kept-key-test'));
    await first.close();
    running.splice(running.indexOf(first), 1);
    const second = await agentAt(dir, 'another secret of enough length 42');
    const proofs: string[] = [];
    const counting = new HttpTransport({
      url: second.url,
      clientId: 'kept-key-test',
      fetch: (input, init) => {
        if (String(input).endsWith('/auth/response')) proofs.push(String(input));
        return fetch(input, init);
      },
    });
    await expect(authenticate(counting, new KeptKeySource(kept), 'kept-key-test')).rejects.toBeInstanceOf(PairingChanged);
    expect(proofs).toEqual([]);
  });
});
