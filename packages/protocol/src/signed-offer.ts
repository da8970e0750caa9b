// A signed release travels with its offer (docs/protocol.md §4.9): the manifest's exact bytes and the signature file,
// so a device that holds trusted keys can verify the release for itself. The client only carries them; it is the
// device that judges them.

import type { Release } from '@fieldflash/bundle';
import { parseSignatureFile } from '@fieldflash/bundle/trust';
import { toBase64 } from './crypto.ts';
import { MAX_MANIFEST_BYTES, type OfferedRelease } from './update-messages.ts';
import { UpdateError } from './update-error.ts';

/** The release's manifest and signature files, as the library or a bundle holds them. */
export interface SignedReleaseFiles {
  manifest: Blob | Uint8Array;
  signature: Blob | Uint8Array;
}

/** The manifest and signature of a release that has both; undefined for an unsigned release. */
export function signedReleaseFiles(release: Pick<Release, 'files'>): SignedReleaseFiles | undefined {
  const manifest = release.files.find((f) => f.role === 'manifest');
  const signature = release.files.find((f) => f.role === 'signature');
  return manifest && signature ? { manifest: manifest.data, signature: signature.data } : undefined;
}

const bytesOf = async (data: Blob | Uint8Array): Promise<Uint8Array> => (data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer()));

/** The offer's `release` field; a signature file that cannot be read stops the update before anything is sent. */
export async function offeredRelease(files: SignedReleaseFiles): Promise<OfferedRelease> {
  const manifest = await bytesOf(files.manifest);
  const signature = parseSignatureFile(await bytesOf(files.signature));
  if ('problem' in signature) throw new UpdateError(`The release's signature cannot be sent: ${signature.problem}. Ask the publisher to sign the release again.`);
  if (manifest.length > MAX_MANIFEST_BYTES) {
    throw new UpdateError(`The release's manifest is ${manifest.length} bytes; an offer carries at most ${MAX_MANIFEST_BYTES} (docs/protocol.md §10). Split the release.`);
  }
  return {
    manifest: toBase64(manifest),
    signature: { format: 'fieldflash-signature', algorithm: signature.algorithm, keyId: signature.keyId, signature: toBase64(signature.signature) },
  };
}
