// Signed releases for the integration tests: a publisher key, the folder of public keys an agent trusts, the private
// key in PEM for the conformance suite, and signed release zips read back as the client reads them.
import { mkdirSync, openAsBlob, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, publicKeyFile, readBundle, type Release, type SigningKey } from '@fieldflash/bundle';
import { type BundleSpec, writeTestBundle } from './lan-support.ts';

export type PublisherKey = SigningKey & { pkcs8: Uint8Array };

export function publisherKey(name = 'Demo Sensors release key'): Promise<PublisherKey> {
  return generateSigningKey('ed25519', name);
}

/** A folder with each key's public key file, as `--trusted-keys DIR` reads it. */
export function trustedKeysDir(dir: string, ...keys: SigningKey[]): string {
  const folder = join(dir, 'trusted-keys');
  mkdirSync(folder, { recursive: true });
  for (const key of keys) writeFileSync(join(folder, `${key.publicKey.keyId}.pub.json`), publicKeyFile(key.publicKey));
  return folder;
}

/** The private key as PEM (PKCS#8), as `npm run conformance -- --signing-key` reads it. */
export function privateKeyPem(dir: string, key: PublisherKey): string {
  const path = join(dir, 'signing-key.pem');
  const body = Buffer.from(key.pkcs8).toString('base64').match(/.{1,64}/g)!.join('\n');
  writeFileSync(path, `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
  return path;
}

/** Writes a release zip (signed when `spec.signedBy` is given) and reads it back as `npm run push` does. */
export async function releaseZip(dir: string, spec: BundleSpec): Promise<{ path: string; images: Uint8Array[]; release: Release }> {
  mkdirSync(dir, { recursive: true });
  const written = await writeTestBundle(dir, spec);
  const [release] = await readBundle({ name: 'release.zip', data: await openAsBlob(written.path) });
  return { ...written, release: release! };
}
