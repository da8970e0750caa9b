// inspect: what the app will see when it imports a release zip, and whose signature it carries.
import { parseArgs } from 'node:util';
import { formatFingerprint, releaseTrust, type Release, type TrustedKey } from '@fieldflash/bundle';
import { openBundle } from './bundle-file.ts';
import { readKeyOptions } from './key-files.ts';
import { existingFile, existingFolder, onePositional, parsed } from './options.ts';
import { describeRelease } from './release-summary.ts';
import type { Verb } from './verb.ts';

const USAGE = `Usage: npm run release -- inspect BUNDLE.zip [--trusted-keys DIR] [--key FILE.pub.json]
  --trusted-keys DIR   also say whether the signature verifies against the public keys in DIR (*.pub.json, *.pem)
  --key FILE           the same for one public key file (repeatable)
Prints each release in the zip as FieldFlash reads it: product, version, sequence, security version, targets, every
file's size, SHA-256 and role, the signature's key id and algorithm, and the release id.`;

/** The signature lines: who signed, and with trusted keys at hand, whether that holds. */
export async function describeSignature(release: Release, keys: readonly TrustedKey[] | undefined): Promise<string[]> {
  const signature = release.signature;
  if (!signature) return ['  signature         none (unsigned release)'];
  const lines = [`  signature         ${signature.algorithm}, key ${signature.keyId} (${signature.path})`];
  if (!keys) return [...lines, '                    not checked: pass --trusted-keys DIR or --key FILE.pub.json to verify it'];
  const trust = await releaseTrust(release, keys, { allowUnsigned: false });
  if (trust.verdict === 'trusted') {
    const key = trust.key;
    return [...lines, `                    verifies: trusted key${key.name ? ` "${key.name}"` : ''}, fingerprint ${formatFingerprint(key.fingerprint)}`];
  }
  if (trust.verdict === 'refused') return [...lines, `                    refused (${trust.reason}): ${trust.message}`, `                    ${trust.hint}`];
  return lines;
}

export const inspect: Verb = {
  name: 'inspect',
  summary: 'show a release zip as FieldFlash reads it',
  usage: USAGE,
  async run(argv, output) {
    const { values, positionals } = parsed(() =>
      parseArgs({ args: argv, options: { 'trusted-keys': { type: 'string' }, key: { type: 'string', multiple: true } }, allowPositionals: true, strict: true }),
    );
    const path = existingFile('the bundle', onePositional(positionals, 'release zip to inspect', 'npm run release -- inspect widget-1.2.0.zip'));
    const keys = await readKeyOptions({
      trustedKeys: values['trusted-keys'] === undefined ? undefined : existingFolder('--trusted-keys', values['trusted-keys']),
      key: values.key?.map((k) => existingFile('--key', k)),
    });
    const { releases } = await openBundle(path);
    for (const [i, release] of releases.entries()) {
      if (i > 0) output.out('');
      for (const line of describeRelease(release)) output.out(line);
      for (const line of await describeSignature(release, keys)) output.out(line);
    }
    return 0;
  },
};
