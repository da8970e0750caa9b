// The publisher keys a device trusts (--trusted-keys DIR): every *.pub.json or *.pem file in DIR. A file that cannot
// be read stops the agent at start, because a device that silently trusts fewer keys than its owner meant to would
// refuse good releases later, far from the cause.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyError, parsePublicKey, type TrustedKey } from '@fieldflash/bundle/trust';

export class TrustedKeysError extends Error {}

const KEY_FILE = /\.(pub\.json|pem)$/;

export async function loadTrustedKeys(dir: string): Promise<TrustedKey[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => KEY_FILE.test(name)).sort();
  } catch (error) {
    throw new TrustedKeysError(`--trusted-keys: cannot read the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)}). Give a folder that holds the publishers' *.pub.json or *.pem public keys.`);
  }
  if (names.length === 0) {
    throw new TrustedKeysError(`--trusted-keys: ${dir} holds no *.pub.json or *.pem public key, so the device would refuse every release. Copy the publisher's public key (from \`npm run release -- keygen\`) into it.`);
  }
  const keys: TrustedKey[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const key = await parsePublicKey(readFileSync(path, 'utf8'));
      if (!keys.some((k) => k.keyId === key.keyId)) keys.push(key);
    } catch (error) {
      const reason = error instanceof KeyError ? `${error.message} ${error.hint}` : (error as NodeJS.ErrnoException).code ?? String(error);
      throw new TrustedKeysError(`--trusted-keys: ${path} is not a public key the device can use: ${reason}`);
    }
  }
  return keys;
}
