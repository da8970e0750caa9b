// The pairing key (docs/protocol.md §3.1): the device keeps <dir>/auth.json with the salt, the iteration count and
// the PBKDF2 key, never the secret, readable by its owner only (0600): the key logs in like the secret would.
// The salt survives restarts and changes only with the secret, so a label's pairing code stays valid.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deriveKey, fromBase64, normalizePairingSecret, sameProof, toBase64 } from '@fieldflash/protocol';
import { replaceFileDurably } from './durable.ts';

export const KDF_ITERATIONS = 100_000;
export const AUTH_FILE = 'auth.json';
const SECRET_FILE_MODE = 0o600;

export interface PairingKey {
  salt: string;
  iterations: number;
  key: Uint8Array;
}

/** The key stored in `dir`, or undefined when there is none (a new device). */
export function storedPairingKey(dir: string): PairingKey | undefined {
  const path = join(dir, AUTH_FILE);
  if (!existsSync(path)) return undefined;
  // A store written before it was kept private is made private on first read.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, SECRET_FILE_MODE);
  let stored: { salt?: unknown; iterations?: unknown; key?: unknown };
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as typeof stored;
  } catch {
    throw new Error(`${path} is not valid JSON; remove it and start the agent with the pairing secret again.`);
  }
  const { salt, iterations, key } = stored;
  if (typeof salt !== 'string' || typeof key !== 'string' || typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < KDF_ITERATIONS) {
    throw new Error(`${path} does not hold a salt, an iteration count of at least ${KDF_ITERATIONS} and a key; remove it and start the agent with the pairing secret again.`);
  }
  return { salt, iterations, key: fromBase64(key) };
}

/**
 * The pairing key for `secret`, reusing the stored salt while the secret is unchanged. Without a secret, the stored
 * key (a device that was paired before); a new device without a secret cannot start.
 */
export async function loadPairingKey(dir: string, secret: string | undefined): Promise<PairingKey> {
  const stored = storedPairingKey(dir);
  if (secret === undefined) {
    if (!stored) throw new Error(`No pairing secret was given and ${join(dir, AUTH_FILE)} holds none.`);
    return stored;
  }
  const text = normalizePairingSecret(secret);
  if (stored) {
    const key = await deriveKey(text, stored.salt, stored.iterations);
    if (sameProof(toBase64(key), toBase64(stored.key))) return { ...stored, key };
  }
  const salt = toBase64(randomBytes(16));
  const key = await deriveKey(text, salt, KDF_ITERATIONS);
  replaceFileDurably(join(dir, AUTH_FILE), JSON.stringify({ salt, iterations: KDF_ITERATIONS, key: toBase64(key) }), undefined, SECRET_FILE_MODE);
  return { salt, iterations: KDF_ITERATIONS, key };
}
