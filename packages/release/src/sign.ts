// sign: adds (or replaces) <manifest>.sig in a packed release. The manifest and every file keep their exact
// bytes: only the signature entry is new, so what was reviewed is what is signed.
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import JSZip from 'jszip';
import { readBundle, releaseTrust, type Release, type SigningKey } from '@fieldflash/bundle';
import { openBundle, refuseToReplace, writeWhole } from './bundle-file.ts';
import { readSigningKey } from './key-files.ts';
import { existingFile, onePositional, parsed, required } from './options.ts';
import { CliProblem } from './problem.ts';
import { signatureText } from './signature-text.ts';
import type { Verb } from './verb.ts';

const USAGE = `Usage: npm run release -- sign BUNDLE.zip --key KEY.key.pem [--public KEY.pub.json] [--out SIGNED.zip [--force]]
  --key FILE      the publisher's private key (from keygen; any PKCS#8 or OpenSSL Ed25519 / P-256 key)
  --public FILE   its public key file, to check the pair and carry its name; derived from --key when left out
  --out FILE      write the signed release here instead of replacing BUNDLE.zip (--force replaces an existing FILE)
Signs the exact bytes of the release's fieldflash.json into fieldflash.json.sig (replacing an older signature).`;

async function manifestBytes(release: Release): Promise<Uint8Array> {
  const manifest = release.files.find((f) => f.role === 'manifest')!;
  return new Uint8Array(await manifest.data.arrayBuffer());
}

/** Adds `<manifest>.sig` for each FieldFlash manifest in the zip; every other entry is carried over unchanged. */
export async function signBundleZip(zipBytes: Uint8Array, releases: readonly Release[], key: SigningKey): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(zipBytes);
  for (const release of releases) {
    const path = release.manifestPath!;
    const entry = zip.file(path);
    if (!entry) throw new CliProblem(`The zip's entry for ${path} could not be found again.`, 'Re-create the zip with plain relative paths, e.g. with `npm run release -- pack`.');
    // The signature's entry carries the manifest's date, so signing adds nothing that changes between runs.
    zip.file(`${path}.sig`, await signatureText(await manifestBytes(release), key), { date: entry.date, createFolders: false });
  }
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}

export const sign: Verb = {
  name: 'sign',
  summary: 'sign a packed release with a publisher key',
  usage: USAGE,
  async run(argv, output) {
    const { values, positionals } = parsed(() =>
      parseArgs({
        args: argv,
        options: { key: { type: 'string' }, public: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean', default: false } },
        allowPositionals: true,
        strict: true,
      }),
    );
    const bundlePath = existingFile('the bundle', onePositional(positionals, 'release zip to sign', 'npm run release -- sign widget-1.2.0.zip --key keys/acme.key.pem'));
    const keyPath = existingFile('--key', required(values.key, 'key', 'npm run release -- sign widget-1.2.0.zip --key keys/acme.key.pem'));
    const publicPath = values.public === undefined ? undefined : existingFile('--public', values.public);
    const outPath = values.out ?? bundlePath;
    if (values.out !== undefined) refuseToReplace(values.out, values.force);

    const key = await readSigningKey(keyPath, publicPath, output.warn);
    const bundle = await openBundle(bundlePath);
    const native = bundle.releases.filter((r) => r.format === 'fieldflash');
    if (native.length === 0) {
      const formats = bundle.releases.map((r) => r.format).join(', ');
      throw new CliProblem(
        `${basename(bundlePath)} holds no FieldFlash manifest (fieldflash.json), only ${formats}: such a manifest gives no SHA-256 per file, so a signature over it could not vouch for the files.`,
        'Pack the release with `npm run release -- pack` (for an ESP-IDF build: --idf-build build/) and sign that.',
      );
    }
    const signed = await signBundleZip(bundle.bytes, native, key);
    // The signed zip is read back and judged as the app will judge it, before it replaces anything.
    const reread = await readBundle({ name: basename(outPath), data: new Blob([signed as BlobPart]) });
    for (const release of reread.filter((r) => r.format === 'fieldflash')) {
      const trust = await releaseTrust(release, [key.publicKey], { allowUnsigned: false });
      if (trust.verdict !== 'trusted') throw new CliProblem(`The signed release does not verify: ${trust.verdict === 'refused' ? trust.message : trust.verdict}`, 'Please report this with the command you ran.');
      output.out(`Signed ${release.product} ${release.version} (${release.manifestPath}.sig) with ${key.publicKey.algorithm} key ${key.publicKey.keyId}${key.publicKey.name ? ` "${key.publicKey.name}"` : ''}.`);
    }
    writeWhole(outPath, signed);
    output.out(`Wrote ${outPath}`);
    return 0;
  },
};
