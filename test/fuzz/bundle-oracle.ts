// What a fuzzed bundle may end in: one specific BundleError with a message and a hint, or releases that really are
// valid (every file hashes to its digest and holds the bytes the bundle holds under its name, every part a build
// names is there, images are for the chip they are listed for, a native manifest's digests match, a signature
// has the documented shape). Anything else (another error, a release with wrong bytes) is a finding.
import { createHash } from 'node:crypto';
import { BundleError, type Release } from '../../packages/bundle/src/index.ts';
import type { BuiltInput } from './bundle-mutations.ts';
import { parseSignatureFile, releaseTrust } from '../../packages/bundle/src/trust/index.ts';

const CODES = new Set([
  'not-a-zip', 'truncated-zip', 'corrupt-zip', 'unsupported-zip', 'crc-mismatch', 'digest-mismatch', 'size-mismatch', 'missing-file', 'unsafe-path',
  'duplicate-entry', 'zip-bomb', 'no-manifest', 'invalid-manifest', 'unknown-chip-family', 'chip-mismatch', 'invalid-image', 'overlapping-parts',
  'part-beyond-flash', 'incomplete-release', 'invalid-layout', 'empty-bundle',
]);

/** The outcome's name when it is allowed (a BundleError code), or a finding: `{ finding, detail }`. */
export function judgeError(err: unknown): string | { finding: string; detail: string } {
  if (!(err instanceof BundleError)) {
    const e = err as Error;
    return { finding: 'unspecific-error', detail: `${e?.name}: ${e?.message}\n${e?.stack?.split('\n').slice(1, 4).join('\n')}` };
  }
  if (!CODES.has(err.code)) return { finding: 'unknown-code', detail: err.code };
  if (err.message.length < 15 || err.hint.length < 15) return { finding: 'unclear-message', detail: `${err.code}: "${err.message}" / "${err.hint}"` };
  return err.code;
}

const dirname = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '');

/** Why the accepted releases are not valid, or undefined when they are. */
export async function judgeReleases(releases: Release[], built: BuiltInput): Promise<string | undefined> {
  if (releases.length === 0) return 'readBundle returned no release and no error';
  for (const release of releases) {
    if (typeof release.version !== 'string' || release.version === '' || typeof release.product !== 'string') return `release without version or product: ${JSON.stringify([release.product, release.version])}`;
    const byPath = new Map(release.files.map((f) => [f.path, f]));
    for (const file of release.files) {
      const bytes = new Uint8Array(await file.data.arrayBuffer());
      if (bytes.length !== file.size) return `${file.path}: ${bytes.length} bytes, but the release says ${file.size}`;
      if (createHash('sha256').update(bytes).digest('hex') !== file.sha256) return `${file.path}: bytes do not hash to the release's sha256`;
      const expected = built.contents.get(file.path);
      if (built.contents.has(file.path) && expected === undefined) return `${file.path}: the bundle holds two entries of that name, and one was accepted`;
      if (expected && Buffer.compare(bytes, expected) !== 0) return `${file.path}: accepted with other bytes than the bundle holds under that name`;
    }
    for (const build of release.builds) {
      const paths = [...(build.flash?.parts.map((p) => p.path) ?? [])];
      if (build.ota?.kind === 'per-slot') paths.push(build.ota.slot0, build.ota.slot1);
      if (build.ota?.kind === 'either') paths.push(build.ota.image);
      for (const path of paths) {
        const file = byPath.get(path);
        if (!file) return `a build names ${path}, which the release does not hold`;
        if (build.target.chipFamily === 'ESP8266') continue;
        for (const image of [file.image, ...(file.embedded ?? []).map((e) => e.image)]) {
          if (!image) continue;
          if (image.chipFamily !== build.target.chipFamily) return `${path} is an image for ${image.chipFamily ?? image.chipId}, listed for ${build.target.chipFamily}`;
          if (!image.checksumValid || image.appendedHashValid === false) return `${path}: a damaged image was accepted`;
        }
      }
    }
    if (release.format === 'fieldflash' && release.manifestPath) {
      const manifest = JSON.parse(new TextDecoder().decode(await byPath.get(release.manifestPath)!.data.arrayBuffer())) as { files?: Array<{ path: string; sha256?: string; size?: number }> };
      for (const declared of manifest.files ?? []) {
        const file = byPath.get(dirname(release.manifestPath) + declared.path) ?? byPath.get(declared.path);
        if (!file) return `the manifest lists ${declared.path}, which the release does not hold`;
        if (declared.sha256 !== undefined && declared.sha256.toLowerCase() !== file.sha256) return `${declared.path}: accepted although its SHA-256 is not the declared one`;
        if (declared.size !== undefined && Number(declared.size) !== file.size) return `${declared.path}: accepted although its size is not the declared one`;
      }
    }
    if (release.signature) {
      const file = byPath.get(release.signature.path);
      if (!file) return 'the release records a signature file it does not hold';
      // Any signature file travels with the release; the trust layer judges it. One it cannot read must come out
      // refused as malformed, and none may be trusted without a key (the fuzzer trusts none).
      const parsed = parseSignatureFile(new Uint8Array(await file.data.arrayBuffer()));
      const trust = await releaseTrust(release, [], { allowUnsigned: true });
      if (trust.verdict === 'trusted') return 'a release was trusted with no trusted key';
      if ('problem' in parsed && !(trust.verdict === 'refused' && trust.reason === 'malformed')) return `an unreadable signature (${parsed.problem}) was not refused as malformed`;
    }
  }
  return undefined;
}
