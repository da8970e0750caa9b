// verify: exit 0 only when every release in the zip is trusted as the app would trust it: every file present with
// the SHA-256 its manifest declares, every file covered by a manifest, and the manifest signed by a trusted key.
import { parseArgs } from 'node:util';
import { formatFingerprint, releaseTrust } from '@fieldflash/bundle';
import { openBundle } from './bundle-file.ts';
import { readKeyOptions } from './key-files.ts';
import { existingFile, existingFolder, onePositional, parsed } from './options.ts';
import { usageProblem } from './problem.ts';
import type { Verb } from './verb.ts';

const USAGE = `Usage: npm run release -- verify BUNDLE.zip --trusted-keys DIR | --key FILE.pub.json
  --trusted-keys DIR   the public keys to trust: every *.pub.json and *.pem in DIR
  --key FILE           one public key file to trust (repeatable; may be combined with --trusted-keys)
Exit status 0: every release in the zip is signed by a trusted key and every file matches its SHA-256.
1: it is not (the reason and what to do are printed). 2: the command line is wrong.`;

export const verify: Verb = {
  name: 'verify',
  summary: 'check that a release zip is signed by a trusted key and intact',
  usage: USAGE,
  async run(argv, output) {
    const { values, positionals } = parsed(() =>
      parseArgs({ args: argv, options: { 'trusted-keys': { type: 'string' }, key: { type: 'string', multiple: true } }, allowPositionals: true, strict: true }),
    );
    const path = existingFile('the bundle', onePositional(positionals, 'release zip to verify', 'npm run release -- verify widget-1.2.0.zip --trusted-keys keys/'));
    const keys = await readKeyOptions({
      trustedKeys: values['trusted-keys'] === undefined ? undefined : existingFolder('--trusted-keys', values['trusted-keys']),
      key: values.key?.map((k) => existingFile('--key', k)),
    });
    if (!keys) throw usageProblem('Say which keys to trust.', 'Add --trusted-keys DIR (a folder of .pub.json files) or --key FILE.pub.json.');
    // A file that does not match its declared digest stops the import itself: openBundle throws, exit 1.
    const { releases } = await openBundle(path);
    let trusted = 0;
    for (const release of releases) {
      const trust = await releaseTrust(release, keys, { allowUnsigned: false });
      const name = `${release.product} ${release.version}`;
      if (trust.verdict === 'trusted') {
        trusted++;
        const key = trust.key;
        output.out(`Trusted: ${name} is signed by ${key.algorithm} key ${key.keyId}${key.name ? ` "${key.name}"` : ''} (fingerprint ${formatFingerprint(key.fingerprint)}); its ${release.files.filter((f) => f.digestDeclared).length} files match the SHA-256 the manifest declares.`);
        output.out(`  release id ${release.id}`);
      } else if (trust.verdict === 'refused') {
        output.warn(`Not trusted: ${name}. ${trust.message}`);
        output.warn(trust.reason === 'untrusted-key' ? `Trusted keys given: ${keys.map((k) => k.keyId).join(', ')}. If the publisher confirms key ${trust.keyId}, add its .pub.json to --trusted-keys.` : trust.hint);
      }
    }
    return trusted === releases.length ? 0 : 1;
  },
};
