// The pairing secret at rest and on its way in: only the derived key is stored, readable by the owner alone, with a
// salt that survives restarts; weak chosen secrets are refused unless allowed; a new device without a secret makes
// a pairing code; and no hook ever sees the secret in its environment.
import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPairingCode } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../src/commands.ts';
import { loadPairingKey, storedPairingKey } from '../src/pairing-key.ts';
import { chooseSecret, SECRET_ENV, SecretError } from '../src/secret-source.ts';

const STRONG = 'correct horse battery staple';
const newDir = () => mkdtempSync(join(tmpdir(), 'fieldflash-pairing-'));

describe('the stored pairing key', () => {
  it('holds the salt and PBKDF2 key, never the secret, in a file only its owner can read', async () => {
    const dir = newDir();
    const pairing = await loadPairingKey(dir, STRONG);
    const path = join(dir, 'auth.json');
    const stored = readFileSync(path, 'utf8');
    expect(stored).not.toContain('horse');
    expect(JSON.parse(stored)).toMatchObject({ salt: pairing.salt, iterations: 100_000 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps its salt across restarts while the secret is unchanged, and without a secret serves the stored key', async () => {
    const dir = newDir();
    const first = await loadPairingKey(dir, STRONG);
    expect((await loadPairingKey(dir, STRONG)).salt).toBe(first.salt);
    expect(await loadPairingKey(dir, undefined)).toEqual({ salt: first.salt, iterations: first.iterations, key: first.key });
    expect((await loadPairingKey(dir, 'another strong passphrase of words')).salt).not.toBe(first.salt);
    await expect(loadPairingKey(newDir(), undefined)).rejects.toThrow(/No pairing secret/);
  });

  it('makes a store that was readable by others private when it reads it', async () => {
    const dir = newDir();
    await loadPairingKey(dir, STRONG);
    chmodSync(join(dir, 'auth.json'), 0o644);
    storedPairingKey(dir);
    expect(statSync(join(dir, 'auth.json')).mode & 0o777).toBe(0o600);
  });

  it('reads a pairing code as typed: any case, dashes or not', async () => {
    const dir = newDir();
    const pairing = await loadPairingKey(dir, '7KQ4-M2XD-9PWA-H3TN');
    expect((await loadPairingKey(dir, '7kq4 m2xd 9pwa h3tn')).key).toEqual(pairing.key);
  });
});

describe('where the secret comes from', () => {
  const base = { allowWeakPassword: false, env: {}, stored: false };

  it('generates an 80-bit pairing code for a new device given none, and keeps the stored key of a paired one', () => {
    const fresh = chooseSecret(base);
    expect(fresh.generated).toBe(true);
    expect(isPairingCode(fresh.secret!)).toBe(true);
    expect(chooseSecret(base).secret).not.toBe(fresh.secret);
    expect(chooseSecret({ ...base, stored: true })).toEqual({ generated: false, warnings: [] });
  });

  it('refuses a weak chosen password unless explicitly allowed, and warns about --password', () => {
    expect(() => chooseSecret({ ...base, password: 'demo' })).toThrow(SecretError);
    expect(() => chooseSecret({ ...base, password: 'demo' })).toThrow(/too weak \(about 18 bits/);
    const allowed = chooseSecret({ ...base, password: 'demo', allowWeakPassword: true });
    expect(allowed.secret).toBe('demo');
    expect(allowed.warnings.join('\n')).toMatch(/visible to anyone who can list processes[\s\S]*weak/);
    expect(chooseSecret({ ...base, env: { [SECRET_ENV]: STRONG } })).toEqual({ secret: STRONG, generated: false, warnings: [] });
  });

  it('reads --password-file without its final newline', () => {
    const file = join(newDir(), 'secret');
    writeFileSync(file, `${STRONG}\n`);
    expect(chooseSecret({ ...base, passwordFile: file }).secret).toBe(STRONG);
    expect(() => chooseSecret({ ...base, passwordFile: join(newDir(), 'missing') })).toThrow(/cannot read/);
    expect(() => chooseSecret({ ...base, passwordFile: file, password: STRONG })).toThrow(/not both/);
  });
});

describe('hooks', () => {
  const saved = process.env[SECRET_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[SECRET_ENV];
    else process.env[SECRET_ENV] = saved;
  });

  it('run without the pairing secret in their environment', async () => {
    process.env[SECRET_ENV] = STRONG;
    const result = await runCommand('env', { FIELDFLASH_SLOT: 'b' });
    expect(result.code).toBe(0);
    expect(result.output).toContain('FIELDFLASH_SLOT=b');
    expect(result.output).not.toContain(SECRET_ENV);
    expect(result.output).not.toContain('horse');
  });
});
