// What can be done to a stored release besides looking at it: export it as a zip, delete it.
import { deleteRelease, getRelease, type ReleaseSummary } from '../store/index.ts';
import { beginOperation } from '../operations.ts';

function fileNameFor(release: ReleaseSummary): string {
  const slug = release.product
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'release'}-${release.version}.zip`;
}

/** Writes the stored release back into a zip and hands it to the browser as a download. */
export async function exportRelease(release: ReleaseSummary): Promise<void> {
  const endOperation = beginOperation(`Exporting ${release.product} ${release.version}`);
  try {
    const stored = await getRelease(release.id);
    if (!stored) throw new Error(`${release.product} ${release.version} is no longer in the library.`);
    const { writeBundleZip } = await import('@fieldflash/bundle');
    const zip = await writeBundleZip(stored);
    const url = URL.createObjectURL(zip);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileNameFor(release);
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // The download has started from the URL by now; give the browser a moment before releasing the bytes.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } finally {
    endOperation();
  }
}

export async function removeRelease(release: ReleaseSummary): Promise<void> {
  await deleteRelease(release.id);
}
