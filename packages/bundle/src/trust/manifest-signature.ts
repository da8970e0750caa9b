// The detached signature over a manifest's exact bytes: read the signature file, and verify it with WebCrypto
// (global in browsers and Node 20) against the keys a person trusts. Nothing here decides policy; the result says
// what is true of the signature, and release-trust.ts says what that means for a release.
import { SIGNATURE_FORMAT } from '../formats/signature.ts';
import { base64ToBytes, bytesToBase64, SIGNATURE_ALGORITHMS, type PublicKey, type SignatureAlgorithm } from './public-key.ts';

export interface SignatureFile {
  algorithm: SignatureAlgorithm;
  keyId: string;
  signature: Uint8Array;
}

/** A key the technician (or a device) trusts; a revoked one is kept so its signatures are named and refused. */
export interface TrustedKey extends PublicKey {
  revoked?: boolean;
}

export type SignatureCheck =
  | { status: 'unsigned' }
  | { status: 'malformed'; problem: string }
  | { status: 'untrusted-key'; keyId: string; algorithm: SignatureAlgorithm }
  | { status: 'revoked-key'; key: TrustedKey }
  | { status: 'bad-signature'; key: TrustedKey }
  | { status: 'signed'; key: TrustedKey };

const SIGNATURE_LENGTH: Record<SignatureAlgorithm, number> = { ed25519: 64, 'ecdsa-p256': 64 };

/** Reads a signature file's bytes; a problem is returned in words, never thrown, as it is the publisher's mistake. */
export function parseSignatureFile(bytes: Uint8Array): SignatureFile | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { problem: 'the signature file is not JSON' };
  }
  const file = json as Record<string, unknown>;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { problem: 'the signature file is not a JSON object' };
  if (file.format !== SIGNATURE_FORMAT) return { problem: `the signature file's "format" is not "${SIGNATURE_FORMAT}"` };
  const algorithm = SIGNATURE_ALGORITHMS.find((a) => a === file.algorithm);
  if (!algorithm) return { problem: `the signature's algorithm must be ${SIGNATURE_ALGORITHMS.join(' or ')}` };
  if (typeof file.keyId !== 'string' || !/^[0-9a-f]{16}$/.test(file.keyId)) return { problem: 'the signature\'s "keyId" must be 16 lower-case hex digits' };
  const signature = typeof file.signature === 'string' ? base64ToBytes(file.signature) : undefined;
  if (!signature || signature.length !== SIGNATURE_LENGTH[algorithm]) return { problem: `the signature must be ${SIGNATURE_LENGTH[algorithm]} bytes in base64` };
  return { algorithm, keyId: file.keyId, signature };
}

export function signatureFileText(file: SignatureFile): string {
  return `${JSON.stringify({ format: SIGNATURE_FORMAT, algorithm: file.algorithm, keyId: file.keyId, signature: bytesToBase64(file.signature) })}\n`;
}

export function webCryptoImport(algorithm: SignatureAlgorithm): EcKeyImportParams | Algorithm {
  return algorithm === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
}

export function webCryptoSign(algorithm: SignatureAlgorithm): EcdsaParams | Algorithm {
  return algorithm === 'ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
}

async function verifies(key: TrustedKey, file: SignatureFile, manifest: Uint8Array): Promise<boolean> {
  try {
    const cryptoKey = await crypto.subtle.importKey('spki', key.spki as BufferSource, webCryptoImport(key.algorithm), false, ['verify']);
    return await crypto.subtle.verify(webCryptoSign(key.algorithm), cryptoKey, file.signature as BufferSource, manifest as BufferSource);
  } catch {
    return false;
  }
}

/** Verifies a detached signature over the manifest's exact bytes against the trusted keys. */
export async function checkManifestSignature(manifest: Uint8Array, signature: Uint8Array | undefined, keys: readonly TrustedKey[]): Promise<SignatureCheck> {
  if (!signature) return { status: 'unsigned' };
  const file = parseSignatureFile(signature);
  if ('problem' in file) return { status: 'malformed', problem: file.problem };
  const key = keys.find((k) => k.keyId === file.keyId && k.algorithm === file.algorithm);
  if (!key) return { status: 'untrusted-key', keyId: file.keyId, algorithm: file.algorithm };
  // A revoked key's signature is refused whether or not it verifies; the check still names the key.
  if (key.revoked) return { status: 'revoked-key', key };
  return (await verifies(key, file, manifest)) ? { status: 'signed', key } : { status: 'bad-signature', key };
}
