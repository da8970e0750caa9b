// A stored release's trust verdict, from the manifest and signature files the library keeps with it (a few hundred
// bytes, read without the firmware), the trusted keys and the product's policy. Loaded with the first verdict, so
// the WebCrypto checks stay out of the first page load.
import type { Release } from '@fieldflash/bundle';
import { releaseTrust, type ReleaseTrust } from '@fieldflash/bundle/trust';
import { asTrustedKey, getReleaseFile, listTrustedKeys, listUnsignedAllowances, type ReleaseSummary } from '../store/index.ts';
import type { TrustSettings } from './trust-settings.ts';
import { unsignedAllowed } from './trust-settings.ts';

const EMPTY = new Blob([]);

/** The verdict on a release in the library, under the keys and policy given. */
export async function verdictOf(release: ReleaseSummary, settings: Pick<TrustSettings, 'keys' | 'allowances'>): Promise<ReleaseTrust> {
  // Only the manifest and its signature are read: the other files count by their role and declared digest alone.
  // An unsigned release needs neither.
  const signed = release.files.some((f) => f.role === 'signature');
  const files = await Promise.all(
    release.files.map(async (info) => {
      const data = signed && (info.role === 'manifest' || info.role === 'signature') ? await getReleaseFile(release.id, info.path) : EMPTY;
      return { ...info, data: data ?? EMPTY };
    }),
  );
  return releaseTrust({ product: release.product, files }, settings.keys.map(asTrustedKey), { allowUnsigned: unsignedAllowed(settings, release.product) });
}

/** The verdict under the keys and policy kept right now (read afresh: another window may just have changed them). */
export async function currentVerdict(release: Pick<Release, 'files' | 'product'>): Promise<ReleaseTrust> {
  const [keys, allowances] = await Promise.all([listTrustedKeys(), listUnsignedAllowances()]);
  return releaseTrust(release, keys.map(asTrustedKey), { allowUnsigned: unsignedAllowed({ allowances }, release.product) });
}
