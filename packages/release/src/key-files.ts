// Publisher keys on disk: the private key as PKCS#8 PEM (mode 0600, never overwritten), the public key as the
// FieldFlash key file and as PEM, and folders of trusted public keys. Node's crypto reads any PKCS#8 or OpenSSL key
// and derives its public half, which WebCrypto cannot; signing itself goes through the same core as the app's.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  generateSigningKey, importSigningKey, KeyError, parsePublicKey, publicKeyFile, publicKeyFromSpki, spkiToPem,
  type PublicKey, type SignatureAlgorithm, type SigningKey, type TrustedKey,
} from '@fieldflash/bundle';
import { CliProblem } from './problem.ts';

export interface KeyPairPaths {
  privateKey: string;
  publicKeyFile: string;
  publicKeyPem: string;
}

/** "Acme release key" → "acme-release-key"; a key without a name is named by its id. */
export function keyFileStem(publicKey: PublicKey): string {
  const slug = (publicKey.name ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return slug || publicKey.keyId;
}

export function keyPairPaths(dir: string, stem: string): KeyPairPaths {
  return { privateKey: join(dir, `${stem}.key.pem`), publicKeyFile: join(dir, `${stem}.pub.json`), publicKeyPem: join(dir, `${stem}.pub.pem`) };
}

/** Generates a key pair and writes its three files into `dir`; refuses if any of them exists. */
export async function writeNewKeyPair(dir: string, algorithm: SignatureAlgorithm, name?: string): Promise<{ publicKey: PublicKey; paths: KeyPairPaths }> {
  const { publicKey, pkcs8 } = await generateSigningKey(algorithm, name);
  const paths = keyPairPaths(dir, keyFileStem(publicKey));
  const taken = Object.values(paths).filter((p) => existsSync(p));
  if (taken.length > 0) {
    throw new CliProblem(
      `${taken.join(' and ')} already ${taken.length === 1 ? 'exists' : 'exist'}; FieldFlash never overwrites a key.`,
      'Choose another --out folder or --name. Keep the old key: releases signed with it are checked against its public key.',
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pem = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' });
  // 'wx' refuses a file that appeared meanwhile; the chmod makes the mode exactly 0600 whatever the umask.
  writeFileSync(paths.privateKey, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(paths.privateKey, 0o600);
  writeFileSync(paths.publicKeyFile, publicKeyFile(publicKey), { mode: 0o644, flag: 'wx' });
  writeFileSync(paths.publicKeyPem, spkiToPem(publicKey.spki), { mode: 0o644, flag: 'wx' });
  return { publicKey, paths };
}

function readPrivateKeyObject(path: string): KeyObject {
  const text = readFileSync(path, 'utf8');
  if (text.includes('BEGIN PUBLIC KEY') || text.includes('"fieldflash-public-key"')) {
    throw new CliProblem(`${path} is a public key; signing needs the private key.`, 'Pass the .key.pem file that `npm run release -- keygen` wrote beside it.');
  }
  try {
    return createPrivateKey(text);
  } catch {
    throw new CliProblem(`${path} is not a private key FieldFlash can read.`, 'Pass the .key.pem file `npm run release -- keygen` wrote (PKCS#8, "BEGIN PRIVATE KEY"); OpenSSL Ed25519 and P-256 keys work too.');
  }
}

/** Reads a private key file, derives its public key, and checks it against `publicKeyPath` when one is given. */
export async function readSigningKey(path: string, publicKeyPath?: string, warn: (line: string) => void = () => {}): Promise<SigningKey> {
  const keyObject = readPrivateKeyObject(path);
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) warn(`warning: ${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${path}.`);
  const spki = new Uint8Array(createPublicKey(keyObject).export({ format: 'der', type: 'spki' }));
  let derived: PublicKey;
  try {
    derived = await publicKeyFromSpki(spki);
  } catch (error) {
    if (!(error instanceof KeyError)) throw error;
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    throw new CliProblem(
      `${path} holds ${keyObject.asymmetricKeyType === 'ec' ? `an EC key on curve ${curve ?? 'unknown'}` : `an ${String(keyObject.asymmetricKeyType).toUpperCase()} key`}; FieldFlash signs with Ed25519 or ECDSA P-256 only.`,
      'Make a signing key with `npm run release -- keygen`.',
    );
  }
  let publicKey = derived;
  // keygen's .pub.json beside the key carries the key's name; it is used only if it is this key's public half.
  const sibling = path.endsWith('.key.pem') ? `${path.slice(0, -'.key.pem'.length)}.pub.json` : undefined;
  if (!publicKeyPath && sibling && existsSync(sibling)) {
    const beside = await readPublicKey(sibling).catch(() => undefined);
    if (beside?.fingerprint === derived.fingerprint) publicKey = beside;
    else warn(`warning: ${sibling} is not the public half of ${path}; it was left out.`);
  }
  if (publicKeyPath) {
    const stated = await readPublicKey(publicKeyPath);
    if (stated.fingerprint !== derived.fingerprint) {
      throw new CliProblem(
        `${publicKeyPath} holds key ${stated.keyId}, which is not the public half of ${path} (key ${derived.keyId}).`,
        'Pass the .pub.json that keygen wrote beside this private key, or leave --public out: the public key is derived from the private key.',
      );
    }
    publicKey = stated;
  }
  const pkcs8 = new Uint8Array(keyObject.export({ format: 'der', type: 'pkcs8' }));
  return importSigningKey(pkcs8, publicKey);
}

/** One public key file (.pub.json or PEM); a problem names the file. */
export async function readPublicKey(path: string): Promise<PublicKey> {
  try {
    return await parsePublicKey(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof KeyError) throw new CliProblem(`${path}: ${error.message}`, error.hint);
    throw error;
  }
}

const PUBLIC_KEY_NAME = /\.(pub\.json|pem)$/i;

/** Every *.pub.json and *.pem in `dir`, as the agent reads its --trusted-keys folder; a key found twice counts once. */
export async function readTrustedKeys(dir: string): Promise<TrustedKey[]> {
  const names = readdirSync(dir).filter((n) => PUBLIC_KEY_NAME.test(n)).sort();
  if (names.length === 0) {
    throw new CliProblem(`${dir} holds no public keys (*.pub.json or *.pem).`, 'Put the publisher\'s .pub.json there, or pass it with --key FILE.pub.json.');
  }
  const keys = new Map<string, TrustedKey>();
  for (const name of names) {
    const path = join(dir, name);
    const text = readFileSync(path, 'utf8');
    if (/BEGIN [A-Z ]*PRIVATE KEY/.test(text)) {
      throw new CliProblem(`${path} is a private key, in a folder of trusted public keys.`, `Move ${basename(path)} somewhere only the signer can read; the folder needs the .pub.json files only.`);
    }
    const key = await readPublicKey(path);
    if (!keys.has(key.fingerprint)) keys.set(key.fingerprint, key);
  }
  return [...keys.values()];
}

/** The keys --trusted-keys DIR and --key FILE name together; undefined when neither was given. */
export async function readKeyOptions(options: { trustedKeys?: string | undefined; key?: string[] | undefined }): Promise<TrustedKey[] | undefined> {
  if (options.trustedKeys === undefined && !options.key?.length) return undefined;
  const keys = options.trustedKeys === undefined ? [] : await readTrustedKeys(options.trustedKeys);
  for (const path of options.key ?? []) {
    const key = await readPublicKey(path);
    if (!keys.some((k) => k.fingerprint === key.fingerprint)) keys.push(key);
  }
  return keys;
}
