// keygen: a new publisher key pair. The private key stays on the signer's machine; the public key file is what
// technicians import in Settings and what agents read from their --trusted-keys folder.
import { parseArgs } from 'node:util';
import { formatFingerprint, SIGNATURE_ALGORITHMS, type SignatureAlgorithm } from '@fieldflash/bundle';
import { writeNewKeyPair } from './key-files.ts';
import { parsed, required } from './options.ts';
import { usageProblem } from './problem.ts';
import type { Verb } from './verb.ts';

const USAGE = `Usage: npm run release -- keygen --out DIR [--algorithm ed25519|ecdsa-p256] [--name "Acme release key"]
  --out DIR          where to write the key files (created if new)
  --algorithm ALG    ed25519 (default) or ecdsa-p256
  --name TEXT        a label for the key, shown to whoever imports it; also names the files
Writes DIR/<name or key id>.key.pem (the private key, PKCS#8, mode 0600), .pub.json (the public key file FieldFlash
imports) and .pub.pem. Never overwrites a file. Prints the key id and fingerprint, never the private key.`;

export const keygen: Verb = {
  name: 'keygen',
  summary: 'make a publisher key pair',
  usage: USAGE,
  async run(argv, output) {
    const { values, positionals } = parsed(() =>
      parseArgs({ args: argv, options: { out: { type: 'string' }, algorithm: { type: 'string' }, name: { type: 'string' } }, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 0) throw usageProblem(`keygen takes no file names, only options (got ${positionals.join(' ')}).`);
    const out = required(values.out, 'out', 'npm run release -- keygen --out keys/');
    const algorithm = SIGNATURE_ALGORITHMS.find((a) => a === (values.algorithm ?? 'ed25519')) as SignatureAlgorithm | undefined;
    if (!algorithm) throw usageProblem(`--algorithm: "${values.algorithm}" is not one FieldFlash signs with.`, `Use ${SIGNATURE_ALGORITHMS.join(' or ')}.`);
    const name = values.name?.trim();
    if (values.name !== undefined && !name) throw usageProblem('--name is empty.', 'Give the key a label, e.g. --name "Acme release key", or leave --name out.');
    const { publicKey, paths } = await writeNewKeyPair(out, algorithm, name);
    output.out(`New ${algorithm} publisher key${name ? ` "${name}"` : ''}`);
    output.out(`  key id       ${publicKey.keyId}`);
    output.out(`  fingerprint  ${formatFingerprint(publicKey.fingerprint)}`);
    output.out(`  private key  ${paths.privateKey}  (mode 0600: keep it secret, keep a backup)`);
    output.out(`  public key   ${paths.publicKeyFile}, ${paths.publicKeyPem}  (give these out)`);
    output.out('Whoever imports the public key should compare its fingerprint with the one above, read out by you.');
    return 0;
  },
};
