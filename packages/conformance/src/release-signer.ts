// Signs the suite's offers for a device that installs signed releases only (docs/protocol.md §4.9): for each offer a
// FieldFlash manifest that lists the offered image(s) with the offer's own product, version and counters, signed
// with the key given by --signing-key. The device then judges every other rule exactly as for an unsigned device.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importSigningKey, NATIVE_FORMAT, NATIVE_FORMAT_VERSION, publicKeyFromSpki, signManifest, type SigningKey } from '@fieldflash/bundle';
import { type OfferedRelease, toBase64, type UpdateOffer } from '@fieldflash/protocol';

export class SigningKeyError extends Error {}

/** Reads a PKCS#8 private key (PEM, "BEGIN PRIVATE KEY") of Ed25519 or ECDSA P-256. */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SigningKeyError(`--signing-key: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  try {
    const privateKey = createPrivateKey(text);
    const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
    const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
    return await importSigningKey(pkcs8, await publicKeyFromSpki(spki));
  } catch (error) {
    throw new SigningKeyError(`--signing-key: ${path} is not an Ed25519 or ECDSA P-256 private key in PEM ("BEGIN PRIVATE KEY"): ${error instanceof Error ? error.message : String(error)}.`);
  }
}

export interface ManifestClaims {
  product: string;
  version: string;
  sequence: number;
  securityVersion: number;
  chipFamily: string;
}

/** The manifest's exact bytes for `offer`: one OTA image, or one per slot when the offer links `images`. */
export function manifestFor(offer: UpdateOffer, claims: ManifestClaims): Uint8Array {
  const images = offer.images ?? [{ slot: 'a', sha256: offer.sha256, size: offer.size }];
  const files = images.map((image, i) => ({ path: `image-${i}.bin`, size: image.size, sha256: image.sha256, role: 'app' }));
  const ota = files.length >= 2 ? { slot0: files[0]!.path, slot1: files[1]!.path } : { image: files[0]!.path };
  const manifest = {
    format: NATIVE_FORMAT,
    formatVersion: NATIVE_FORMAT_VERSION,
    product: claims.product,
    version: claims.version,
    sequence: claims.sequence,
    securityVersion: claims.securityVersion,
    targets: [{ chipFamily: claims.chipFamily, ota }],
    files,
  };
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
}

/** The offer's `release` field for `manifest` signed with `key`. */
export async function signedRelease(manifest: Uint8Array, key: SigningKey): Promise<OfferedRelease> {
  const file = await signManifest(manifest, key);
  return { manifest: toBase64(manifest), signature: { format: 'fieldflash-signature', algorithm: file.algorithm, keyId: file.keyId, signature: toBase64(file.signature) } };
}

/**
 * Adds a signed release to an offer that has none, claiming what the offer claims (the device's own product and
 * chip where the offer leaves them out, its sequence where the offer gives none).
 */
export async function signOffer(offer: UpdateOffer, key: SigningKey, device: { product: string; chipFamily: string; sequence: number }): Promise<UpdateOffer> {
  const claims: ManifestClaims = {
    product: offer.product ?? device.product,
    version: offer.version,
    sequence: offer.sequence ?? device.sequence,
    securityVersion: offer.securityVersion ?? 0,
    chipFamily: offer.chipFamily,
  };
  return { ...offer, release: await signedRelease(manifestFor(offer, claims), key) };
}
