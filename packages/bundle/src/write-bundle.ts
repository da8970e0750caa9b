// Exports a release back to a zip holding every file it came with, manifest included, so that importing the
// zip again gives the same release (same id). Fixed timestamps keep the output byte-for-byte repeatable.
import JSZip from 'jszip';
import { bareTreeBase } from './formats/source-tree-folder.ts';
import type { Release } from './release.ts';

const ZIP_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

export async function writeBundleZip(release: Release): Promise<Blob> {
  const zip = new JSZip();
  // A bare source tree is named after the folder it sits in: one that sat in none is wrapped in one named after it.
  const root = release.format === 'source-tree' ? release.builds[0]?.sourceTree?.root : undefined;
  const wrap = root !== undefined && bareTreeBase(root) === '' ? `${release.product}/` : '';
  for (const file of release.files) {
    zip.file(wrap + file.path, new Uint8Array(await file.data.arrayBuffer()), { date: ZIP_DATE, createFolders: false, binary: true });
  }
  return zip.generateAsync({ type: 'blob', mimeType: 'application/zip', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
