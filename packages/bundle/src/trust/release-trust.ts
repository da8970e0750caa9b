// What a release's signature means for a technician: trusted, unsigned (allowed or not, by the product's policy), or
// refused with the reason. A signature covers the manifest's bytes; the manifest covers the files through their
// SHA-256, so a release is trusted only when every file that can be written has a declared, matching digest.
import { readNativeManifest } from '../formats/fieldflash.ts';
import type { Release, ReleaseFile } from '../release.ts';
import { checkManifestSignature, type SignatureCheck, type TrustedKey } from './manifest-signature.ts';

export interface TrustPolicy {
  /** The technician allowed unsigned releases of this product. */
  allowUnsigned: boolean;
}

export type RefusalReason = 'untrusted-key' | 'revoked-key' | 'bad-signature' | 'malformed' | 'not-covered' | 'unsigned';

export type ReleaseTrust =
  | { verdict: 'trusted'; key: TrustedKey }
  | { verdict: 'unsigned-allowed' }
  | { verdict: 'refused'; reason: RefusalReason; message: string; hint: string; keyId?: string };

const WRITTEN_ROLES = new Set(['bootloader', 'partition-table', 'app', 'data', 'ota-data', 'source']);

/** Files a device can be given whose digest the manifest does not declare, so a signature cannot vouch for them. */
export function filesNotCovered(release: Pick<Release, 'files'>): ReleaseFile[] {
  return release.files.filter((f) => WRITTEN_ROLES.has(f.role) && !f.digestDeclared);
}

/**
 * Files a device can be given whose recorded SHA-256 is not the one the signed manifest gives that path: the record
 * kept beside the bytes is checked against what the publisher signed, not taken on trust. Every written file when
 * the manifest is not a FieldFlash manifest (no digests to hold them to).
 */
export function filesDifferingFromManifest(release: Pick<Release, 'files'>, manifest: Uint8Array, manifestPath: string): ReleaseFile[] {
  const written = release.files.filter((f) => WRITTEN_ROLES.has(f.role));
  let signed: Map<string, string>;
  try {
    const draft = readNativeManifest(JSON.parse(new TextDecoder().decode(manifest)), manifestPath);
    signed = new Map(draft.files.flatMap((f) => (f.sha256 ? [[f.path, f.sha256.toLowerCase()] as const] : [])));
  } catch {
    return written;
  }
  return written.filter((f) => signed.get(f.path) !== f.sha256.toLowerCase());
}

async function fileBytes(release: Pick<Release, 'files'>, role: 'manifest' | 'signature'): Promise<Uint8Array | undefined> {
  const file = release.files.find((f) => f.role === role);
  return file ? new Uint8Array(await file.data.arrayBuffer()) : undefined;
}

export async function checkReleaseSignature(release: Pick<Release, 'files'>, keys: readonly TrustedKey[]): Promise<SignatureCheck> {
  return (await readAndCheck(release, keys)).check;
}

/** The signature check, with the manifest bytes it read, so nothing reads them twice. */
async function readAndCheck(release: Pick<Release, 'files'>, keys: readonly TrustedKey[]): Promise<{ check: SignatureCheck; manifest?: Uint8Array }> {
  const signature = await fileBytes(release, 'signature');
  if (!signature) return { check: { status: 'unsigned' } };
  const manifest = await fileBytes(release, 'manifest');
  if (!manifest) return { check: { status: 'malformed', problem: 'the release carries a signature but no manifest' } };
  return { check: await checkManifestSignature(manifest, signature, keys), manifest };
}

export function judgeSignature(check: SignatureCheck, release: Pick<Release, 'files' | 'product'>, policy: TrustPolicy): ReleaseTrust {
  const keysHint = 'Settings → Trusted keys lists the keys this laptop trusts.';
  switch (check.status) {
    case 'unsigned':
      return policy.allowUnsigned
        ? { verdict: 'unsigned-allowed' }
        : {
            verdict: 'refused',
            reason: 'unsigned',
            message: `This release of ${release.product} is not signed, and unsigned releases of ${release.product} are not allowed.`,
            hint: `Ask the publisher for a signed release, or allow unsigned releases of ${release.product} in Settings if you know where this one came from.`,
          };
    case 'malformed':
      return { verdict: 'refused', reason: 'malformed', message: `The release's signature cannot be read: ${check.problem}.`, hint: 'Ask the publisher to sign the release again with `npm run release -- sign`.' };
    case 'untrusted-key':
      return {
        verdict: 'refused',
        reason: 'untrusted-key',
        keyId: check.keyId,
        message: `The release is signed with key ${check.keyId}, which this laptop does not trust.`,
        hint: `If the publisher confirms that key's fingerprint, import their public key in Settings. ${keysHint}`,
      };
    case 'revoked-key':
      return {
        verdict: 'refused',
        reason: 'revoked-key',
        keyId: check.key.keyId,
        message: `The release is signed with key ${check.key.keyId}${check.key.name ? ` (${check.key.name})` : ''}, which was revoked.`,
        hint: 'A revoked key may be in the wrong hands. Get a release signed with the publisher\'s current key.',
      };
    case 'bad-signature':
      return {
        verdict: 'refused',
        reason: 'bad-signature',
        keyId: check.key.keyId,
        message: `The signature does not match the manifest: the release was changed after key ${check.key.keyId} signed it.`,
        hint: 'Do not install it. Get the release again from the publisher.',
      };
    case 'signed': {
      const uncovered = filesNotCovered(release);
      if (uncovered.length) {
        return {
          verdict: 'refused',
          reason: 'not-covered',
          keyId: check.key.keyId,
          message: `The manifest is signed but gives no SHA-256 for ${uncovered.map((f) => f.path).join(', ')}, so the signature does not cover ${uncovered.length === 1 ? 'it' : 'them'}.`,
          hint: 'Ask the publisher to pack the release with `npm run release -- pack`, which lists every file\'s digest, and sign that.',
        };
      }
      return { verdict: 'trusted', key: check.key };
    }
  }
}

export async function releaseTrust(release: Pick<Release, 'files' | 'product'>, keys: readonly TrustedKey[], policy: TrustPolicy): Promise<ReleaseTrust> {
  const { check, manifest } = await readAndCheck(release, keys);
  const trust = judgeSignature(check, release, policy);
  if (trust.verdict !== 'trusted') return trust;
  const manifestFile = release.files.find((f) => f.role === 'manifest')!;
  const differing = filesDifferingFromManifest(release, manifest!, manifestFile.path);
  if (differing.length === 0) return trust;
  return {
    verdict: 'refused',
    reason: 'not-covered',
    keyId: trust.key.keyId,
    message: `The SHA-256 kept for ${differing.map((f) => f.path).join(', ')} is not the one the signed manifest gives, so the signature does not cover ${differing.length === 1 ? 'that file' : 'those files'}.`,
    hint: 'Delete the release from the library and import it again from the publisher\'s file.',
  };
}
