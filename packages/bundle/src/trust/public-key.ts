// Publisher keys: read from PEM (SPKI) or from the release CLI's key file, and named by their SHA-256 fingerprint.
// Only two key types are accepted, each by its exact SPKI prefix, so a key is either one FieldFlash can verify with
// or a clear refusal at import, never a surprise at the first signed release.
import { sha256Hex, toHex } from '../digest.ts';

export type SignatureAlgorithm = 'ed25519' | 'ecdsa-p256';
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'ecdsa-p256'];
export const PUBLIC_KEY_FORMAT = 'fieldflash-public-key';

/** Ed25519 (RFC 8410) and P-256 uncompressed (RFC 5480) SubjectPublicKeyInfo prefixes, up to the key bytes. */
const SPKI_PREFIX: Record<SignatureAlgorithm, { hex: string; length: number }> = {
  ed25519: { hex: '302a300506032b6570032100', length: 44 },
  'ecdsa-p256': { hex: '3059301306072a8648ce3d020106082a8648ce3d030107034200', length: 91 },
};

export interface PublicKey {
  algorithm: SignatureAlgorithm;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  /** SHA-256 of the SPKI, lower-case hex. */
  fingerprint: string;
  /** The first 16 hex digits of the fingerprint: what a signature file names. */
  keyId: string;
  /** The publisher's label from the CLI's key file, if any. */
  name?: string;
}

export class KeyError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'KeyError';
  }
}

export function keyIdOf(fingerprint: string): string {
  return fingerprint.slice(0, 16);
}

/** "ab12 cd34 …": the fingerprint as a person compares it with the publisher's. */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.match(/.{1,4}/g)?.join(' ') ?? fingerprint;
}

export function algorithmOfSpki(spki: Uint8Array): SignatureAlgorithm | undefined {
  const head = (n: number) => toHex(spki.subarray(0, n));
  return SIGNATURE_ALGORITHMS.find((a) => spki.length === SPKI_PREFIX[a].length && head(SPKI_PREFIX[a].hex.length / 2) === SPKI_PREFIX[a].hex);
}

export async function publicKeyFromSpki(spki: Uint8Array, name?: string): Promise<PublicKey> {
  const algorithm = algorithmOfSpki(spki);
  if (!algorithm) {
    throw new KeyError(
      'This is not an Ed25519 or ECDSA P-256 public key.',
      'FieldFlash verifies Ed25519 and ECDSA P-256 (prime256v1) signatures. Ask the publisher for the public key of their signing key, or make one with `npm run release -- keygen`.',
    );
  }
  const fingerprint = await sha256Hex(spki);
  const key: PublicKey = { algorithm, spki, fingerprint, keyId: keyIdOf(fingerprint) };
  if (name) key.name = name;
  return key;
}

export function base64ToBytes(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) return undefined;
  const binary = atob(clean);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function spkiToPem(spki: Uint8Array): string {
  const body = bytesToBase64(spki).match(/.{1,64}/g)?.join('\n') ?? '';
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`;
}

/** The CLI's public key file: JSON that carries the algorithm, id and label beside the SPKI. */
export function publicKeyFile(key: PublicKey): string {
  const file: Record<string, string> = { format: PUBLIC_KEY_FORMAT, algorithm: key.algorithm, keyId: key.keyId, fingerprint: key.fingerprint };
  if (key.name) file.name = key.name;
  file.publicKey = bytesToBase64(key.spki);
  return `${JSON.stringify(file, null, 2)}\n`;
}

const PEM = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/;

/** Reads a public key a person pasted or picked: PEM ("BEGIN PUBLIC KEY") or the CLI's key file. */
export async function parsePublicKey(text: string): Promise<PublicKey> {
  const trimmed = text.trim();
  const pem = PEM.exec(trimmed);
  if (pem) {
    if (pem[1] !== 'PUBLIC KEY') {
      throw new KeyError(
        pem[1]?.includes('PRIVATE') ? 'This is a private key. Never hand it to FieldFlash or anyone else.' : `This PEM holds "${pem[1]}", not a public key.`,
        'Import the public key: the "BEGIN PUBLIC KEY" PEM or the .pub.json file `npm run release -- keygen` wrote.',
      );
    }
    const spki = base64ToBytes(pem[2] ?? '');
    if (!spki) throw new KeyError('The PEM text is damaged: its body is not base64.', 'Copy the whole key again, from BEGIN to END.');
    return publicKeyFromSpki(spki);
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new KeyError(
      'This is neither a PEM public key nor a FieldFlash key file.',
      'Paste a key that starts with "-----BEGIN PUBLIC KEY-----", or pick the .pub.json file the release CLI wrote.',
    );
  }
  const file = json as Record<string, unknown>;
  if (typeof json !== 'object' || json === null || file.format !== PUBLIC_KEY_FORMAT || typeof file.publicKey !== 'string') {
    throw new KeyError(`This JSON is not a FieldFlash public key file (it needs "format": "${PUBLIC_KEY_FORMAT}" and "publicKey").`, 'Pick the .pub.json file the release CLI wrote.');
  }
  const spki = base64ToBytes(file.publicKey);
  if (!spki) throw new KeyError('The key file\'s "publicKey" is not base64.', 'Pick the key file again; it may have been edited by hand.');
  const key = await publicKeyFromSpki(spki, typeof file.name === 'string' ? file.name.slice(0, 200) : undefined);
  if (file.algorithm !== undefined && file.algorithm !== key.algorithm) {
    throw new KeyError(`The key file says "${String(file.algorithm)}" but holds an ${key.algorithm} key.`, 'The file was edited by hand; ask the publisher for it again.');
  }
  if (file.keyId !== undefined && file.keyId !== key.keyId) {
    throw new KeyError(`The key file names key ${String(file.keyId)}, but the key in it is ${key.keyId}.`, 'The file was edited by hand; ask the publisher for it again.');
  }
  return key;
}
