// The protocol's cryptography, with WebCrypto only, so the browser and Node compute the same bytes.
// See docs/protocol.md §3 (authentication) and §8 (WebRTC binding) for the exact strings.

const subtle = () => globalThis.crypto.subtle;
const utf8 = new TextEncoder();

type Bytes = Uint8Array<ArrayBuffer>;

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Bytes {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Fresh random bytes as base64: challenge nonces, client nonces, salts. */
export function randomBase64(length = 16): string {
  return toBase64(globalThis.crypto.getRandomValues(new Uint8Array(length)));
}

/** The pairing key: PBKDF2-HMAC-SHA-256 of the password's UTF-8 bytes (NFC), 32 bytes. The device stores only this. */
export async function deriveKey(password: string, saltBase64: string, iterations: number): Promise<Bytes> {
  const material = await subtle().importKey('raw', utf8.encode(password.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(saltBase64), iterations }, material, 256);
  return new Uint8Array(bits);
}

/**
 * The same pairing key as a non-extractable HMAC-SHA-256 CryptoKey: it signs proofs, but no script can read its
 * bytes back, so a client may keep it (IndexedDB stores CryptoKeys) instead of the secret.
 */
export async function derivePairingCryptoKey(password: string, saltBase64: string, iterations: number): Promise<CryptoKey> {
  const material = await subtle().importKey('raw', utf8.encode(password.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64(saltBase64), iterations },
    material,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
}

/** A pairing key as raw bytes (the device's) or as an HMAC CryptoKey (a client's, see derivePairingCryptoKey). */
export type PairingKey = Uint8Array | CryptoKey;

export async function hmacSha256(key: PairingKey, message: string): Promise<Bytes> {
  const k = key instanceof Uint8Array ? await subtle().importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) : key;
  return new Uint8Array(await subtle().sign('HMAC', k, utf8.encode(message)));
}

export interface ProofInput {
  challengeId: string;
  nonce: string;
  clientId: string;
  clientNonce: string;
}

const proofText = (role: 'client' | 'device', p: ProofInput) =>
  `fieldflash-v1 ${role}|${p.challengeId}|${p.nonce}|${p.clientId}|${p.clientNonce}`;

/** What the client sends to prove it knows the password: hex HMAC(key, "fieldflash-v1 client|…"). */
export async function clientProof(key: PairingKey, p: ProofInput): Promise<string> {
  return toHex(await hmacSha256(key, proofText('client', p)));
}

/** What the device sends back to prove it knows the password too: hex HMAC(key, "fieldflash-v1 device|…"). */
export async function deviceProof(key: PairingKey, p: ProofInput): Promise<string> {
  return toHex(await hmacSha256(key, proofText('device', p)));
}

/** The secret both ends share after authenticating; never sent. Keys the WebRTC fingerprint binding. */
export async function sessionKey(key: PairingKey, challengeId: string, clientNonce: string): Promise<Bytes> {
  return hmacSha256(key, `fieldflash-v1 session|${challengeId}|${clientNonce}`);
}

/** Binds an SDP's DTLS fingerprint to the session: hex HMAC(sessionKey, "offer|" or "answer|" + fingerprint). */
export async function fingerprintProof(sessionKeyBytes: Uint8Array, role: 'offer' | 'answer', fingerprint: string): Promise<string> {
  return toHex(await hmacSha256(sessionKeyBytes, `${role}|${fingerprint}`));
}

/**
 * The value of the first `a=fingerprint:` line of an SDP (session or media level), trimmed, e.g.
 * "sha-256 AB:CD:…". Undefined when the SDP has none.
 */
export function sdpFingerprint(sdp: string): string | undefined {
  const match = /^a=fingerprint:(.+)$/m.exec(sdp);
  return match?.[1]?.trim();
}

/** Compares two proofs without leaking where they differ. */
export function sameProof(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export async function sha256(bytes: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().digest('SHA-256', bytes as Bytes));
}

/** RFC 9530 Content-Digest header value of a chunk: `sha-256=:<base64>:`. */
export async function contentDigest(bytes: Uint8Array): Promise<string> {
  return `sha-256=:${toBase64(await sha256(bytes))}:`;
}

/**
 * The base64 SHA-256 in a Content-Digest header, or undefined when it has no well-formed sha-256 member.
 * Accepts RFC 9530's dictionary form, members separated by commas (`sha-512=:…:, sha-256=:…:`), and ignores
 * the members it does not know (docs/protocol.md §4.3).
 */
export function contentDigestSha256(header: string): string | undefined {
  for (const member of header.split(',')) {
    const match = /^\s*sha-256=:([A-Za-z0-9+/]{43}=):\s*$/.exec(member);
    if (match) return match[1];
  }
  return undefined;
}
