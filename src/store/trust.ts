// What this laptop trusts: publishers' public keys (never a private key), and the products whose unsigned releases
// the technician allowed. A revoked key is kept, marked, so the releases it signed are named and refused.
import type { TrustedKey } from '@fieldflash/bundle/trust';
import { database } from './schema.ts';
import { storeErrorFrom } from './errors.ts';
import type { StoredTrustedKey, UnsignedAllowance } from './records.ts';

export type { StoredTrustedKey, UnsignedAllowance } from './records.ts';

type ChangeListener = () => void;
const listeners = new Set<ChangeListener>();
// Another window's change of keys or policy changes every verdict here too.
const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('fieldflash-trust');
channel?.addEventListener('message', () => notify(false));

function notify(broadcast: boolean): void {
  for (const listener of [...listeners]) listener();
  if (broadcast) channel?.postMessage('changed');
}

/** Calls the listener whenever a key is added or revoked, or the unsigned-release policy changes (here or elsewhere). */
export function subscribeTrust(listener: ChangeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The kept keys as the trust checks take them. */
export function asTrustedKey(key: StoredTrustedKey): TrustedKey {
  return {
    algorithm: key.algorithm, spki: key.spki, fingerprint: key.fingerprint, keyId: key.keyId,
    ...(key.name ? { name: key.name } : {}), ...(key.revokedAt !== undefined ? { revoked: true } : {}),
  };
}

export async function listTrustedKeys(): Promise<StoredTrustedKey[]> {
  try {
    const all = await (await database()).getAll('trustedKeys');
    return all.sort((a, b) => a.addedAt - b.addedAt || a.keyId.localeCompare(b.keyId));
  } catch (error) {
    throw storeErrorFrom(error, 'read the trusted keys');
  }
}

/**
 * Keeps a key. A key already kept stays as it is (its name and revocation included): importing a revoked key again
 * must not make it trusted again. Returns the record kept.
 */
export async function addTrustedKey(key: Omit<StoredTrustedKey, 'addedAt' | 'revokedAt'>): Promise<{ key: StoredTrustedKey; added: boolean }> {
  let result: { key: StoredTrustedKey; added: boolean };
  try {
    const tx = (await database()).transaction('trustedKeys', 'readwrite');
    const existing = await tx.store.get(key.keyId);
    if (existing) {
      result = { key: existing, added: false };
    } else {
      const record: StoredTrustedKey = { ...key, addedAt: Date.now() };
      await tx.store.add(record);
      result = { key: record, added: true };
    }
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, 'keep the trusted key');
  }
  if (result.added) notify(true);
  return result;
}

/** Marks a key revoked: its signatures are refused from now on, and it stays listed. */
export async function revokeTrustedKey(keyId: string): Promise<void> {
  try {
    const tx = (await database()).transaction('trustedKeys', 'readwrite');
    const existing = await tx.store.get(keyId);
    if (existing && existing.revokedAt === undefined) await tx.store.put({ ...existing, revokedAt: Date.now() });
    await tx.done;
  } catch (error) {
    throw storeErrorFrom(error, 'revoke the key');
  }
  notify(true);
}

export async function listUnsignedAllowances(): Promise<UnsignedAllowance[]> {
  try {
    const all = await (await database()).getAll('unsignedAllowed');
    return all.sort((a, b) => a.product.localeCompare(b.product));
  } catch (error) {
    throw storeErrorFrom(error, 'read which products may be installed unsigned');
  }
}

export async function allowUnsignedReleases(product: string): Promise<void> {
  try {
    await (await database()).put('unsignedAllowed', { product, allowedAt: Date.now() });
  } catch (error) {
    throw storeErrorFrom(error, `allow unsigned releases of ${product}`);
  }
  notify(true);
}

export async function withdrawUnsignedReleases(product: string): Promise<void> {
  try {
    await (await database()).delete('unsignedAllowed', product);
  } catch (error) {
    throw storeErrorFrom(error, `withdraw the permission for unsigned releases of ${product}`);
  }
  notify(true);
}
