// --trusted-keys DIR: the publisher keys go onto the board's filesystem (/fieldflash/keys, i.e. DIR/flash/fieldflash/keys
// of the simulated board), where the agent reads them at start (fieldflash/trust.py). Each key is read here first, with
// the same reader FieldFlash uses, so a file the board could not use stops the bridge with a clear message.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyError, parsePublicKey, type PublicKey } from '@fieldflash/bundle/trust';

export class TrustedKeysError extends Error {}

const isKeyFile = (name: string): boolean => name.endsWith('.pub.json') || name.endsWith('.pem');

/** The board's key folder on the host, inside the board's directory. */
export function boardKeysDir(boardDir: string): string {
  return join(boardDir, 'flash', 'fieldflash', 'keys');
}

/** Replaces the board's keys with every *.pub.json and *.pem in `keysDir`; returns the keys, as the board will name them. */
export async function installTrustedKeys(boardDir: string, keysDir: string): Promise<PublicKey[]> {
  let names: string[];
  try {
    names = readdirSync(keysDir).filter(isKeyFile).sort();
  } catch (error) {
    throw new TrustedKeysError(`--trusted-keys: ${keysDir} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  if (names.length === 0) {
    throw new TrustedKeysError(`--trusted-keys: ${keysDir} holds no *.pub.json or *.pem public key. Put the publisher's public key there (npm run release -- keygen writes one).`);
  }
  const keys: Array<{ name: string; text: string; key: PublicKey }> = [];
  for (const name of names) {
    const text = readFileSync(join(keysDir, name), 'utf8');
    try {
      keys.push({ name, text, key: await parsePublicKey(text) });
    } catch (error) {
      if (error instanceof KeyError) throw new TrustedKeysError(`--trusted-keys: ${join(keysDir, name)}: ${error.message} ${error.hint}`);
      throw error;
    }
  }
  const target = boardKeysDir(boardDir);
  mkdirSync(target, { recursive: true });
  for (const old of readdirSync(target).filter(isKeyFile)) rmSync(join(target, old));
  for (const { name, text } of keys) writeFileSync(join(target, name), text);
  return keys.map((k) => k.key);
}
