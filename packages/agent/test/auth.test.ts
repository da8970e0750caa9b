// Authentication rules with a clock the test moves: challenges lapse and are single-use, tokens lapse and stay
// bound to their client, failures are counted in a sliding minute, and only the PBKDF2 key is stored.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientProof, randomBase64 } from '@fieldflash/protocol';
import { describe, expect, it } from 'vitest';
import { Authenticator, loadPairingKey } from '../src/auth.ts';
import { AgentRefusal } from '../src/errors.ts';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-auth-'));
  const pairing = await loadPairingKey(dir, 'hunter2');
  let now = 1_000_000;
  const auth = new Authenticator(pairing, 300, () => now);
  const answer = async (clientId: string, challengeId: string, nonce: string, key = pairing.key) => {
    const input = { challengeId, nonce, clientId, clientNonce: randomBase64(16) };
    return auth.respond({ ...input, proof: await clientProof(key, input) });
  };
  return { dir, pairing, auth, answer, advance: (ms: number) => (now += ms) };
}

async function refusalCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AgentRefusal) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('authenticator', () => {
  it('stores the salt and PBKDF2 key, never the password, and keeps the salt while the password is unchanged', async () => {
    const { dir, pairing } = await setup();
    const stored = readFileSync(join(dir, 'auth.json'), 'utf8');
    expect(stored).not.toContain('hunter2');
    expect(JSON.parse(stored)).toMatchObject({ salt: pairing.salt, iterations: 100_000 });
    expect((await loadPairingKey(dir, 'hunter2')).salt).toBe(pairing.salt);
    expect((await loadPairingKey(dir, 'another password')).salt).not.toBe(pairing.salt);
  });

  it('refuses a lapsed challenge, and a token after its lifetime', async () => {
    const { auth, answer, advance } = await setup();
    const late = auth.challenge('laptop');
    advance(31_000);
    expect(await refusalCode(answer('laptop', late.challengeId, late.nonce))).toBe('replayed');
    const c = auth.challenge('laptop');
    const { token } = await answer('laptop', c.challengeId, c.nonce);
    expect(auth.verify(`Bearer ${token}`, 'laptop').clientId).toBe('laptop');
    expect(() => auth.verify(`Bearer ${token}`, 'phone')).toThrow(/another client/);
    advance(300_000);
    expect(() => auth.verify(`Bearer ${token}`, 'laptop')).toThrow(expect.objectContaining({ code: 'token-expired' }));
  });

  it('counts failures in a sliding minute: the sixth attempt waits, then the window frees', async () => {
    const { auth, answer, advance, pairing } = await setup();
    const wrongKey = pairing.key.map((b) => b ^ 1);
    for (let i = 0; i < 5; i++) {
      const c = auth.challenge('guesser');
      expect(await refusalCode(answer('guesser', c.challengeId, c.nonce, wrongKey))).toBe('bad-proof');
      advance(1000);
    }
    const c = auth.challenge('owner');
    expect(await refusalCode(answer('owner', c.challengeId, c.nonce))).toBe('rate-limited');
    advance(56_000);
    const again = auth.challenge('owner');
    expect(await refusalCode(answer('owner', again.challengeId, again.nonce))).toBe('accepted');
  });
});
