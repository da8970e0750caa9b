// Signing, for the release CLI and for tests that build signed releases: WebCrypto in Node 20 and in browsers.
import { publicKeyFromSpki, type PublicKey, type SignatureAlgorithm } from './public-key.ts';
import { webCryptoImport, webCryptoSign, type SignatureFile } from './manifest-signature.ts';

export interface SigningKey {
  publicKey: PublicKey;
  privateKey: CryptoKey;
}

export async function generateSigningKey(algorithm: SignatureAlgorithm, name?: string): Promise<SigningKey & { pkcs8: Uint8Array }> {
  const pair = (await crypto.subtle.generateKey(webCryptoImport(algorithm) as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  return { publicKey: await publicKeyFromSpki(spki, name), privateKey: pair.privateKey, pkcs8 };
}

export async function importSigningKey(pkcs8: Uint8Array, publicKey: PublicKey): Promise<SigningKey> {
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8 as BufferSource, webCryptoImport(publicKey.algorithm), false, ['sign']);
  return { publicKey, privateKey };
}

export async function signManifest(manifest: Uint8Array, key: SigningKey): Promise<SignatureFile> {
  const signature = new Uint8Array(await crypto.subtle.sign(webCryptoSign(key.publicKey.algorithm), key.privateKey, manifest as BufferSource));
  return { algorithm: key.publicKey.algorithm, keyId: key.publicKey.keyId, signature };
}
