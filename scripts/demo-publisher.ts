// The demo publisher: the key pair that signs the demo releases, made once per checkout in .tmp/demo-publisher/
// (never committed) and reused on every build, so the demo releases keep the same bytes from build to build.
// Its public key is served beside them, for trying signed releases in the app.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SigningKey } from '../packages/bundle/src/index.ts';
import { keyPairPaths, readSigningKey, writeNewKeyPair } from '../packages/release/src/key-files.ts';

export const DEMO_PUBLISHER_NAME = 'FieldFlash demo publisher';
export const DEMO_PUBLISHER_KEY_FILE = 'fieldflash-demo-publisher.pub.json';
const DIR = fileURLToPath(new URL('../.tmp/demo-publisher/', import.meta.url));

/** The demo publisher's signing key, generated (Ed25519: deterministic signatures) on the first build. */
export async function demoPublisherKey(): Promise<{ key: SigningKey; created: boolean }> {
  const paths = keyPairPaths(DIR, 'fieldflash-demo-publisher');
  const created = !existsSync(paths.privateKey);
  if (created) await writeNewKeyPair(DIR, 'ed25519', DEMO_PUBLISHER_NAME);
  // The name comes from the .pub.json beside the key; without one, the key is still the demo publisher's.
  const key = await readSigningKey(paths.privateKey);
  if (!key.publicKey.name) key.publicKey.name = DEMO_PUBLISHER_NAME;
  return { key, created };
}
