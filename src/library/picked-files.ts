// What the technician handed over (picked, dropped, launched, fetched), grouped into bundles to import.

/** A file with its path relative to what was picked: "firmware/app.bin" inside a picked folder. */
export interface PickedFile {
  path: string;
  file: File;
}

/** One thing to import: a zip, or loose files (an unzipped release folder, a bare .bin). */
export type ImportSource =
  | { kind: 'zip'; name: string; file: Blob }
  | { kind: 'files'; name: string; files: Array<{ path: string; data: Blob }> };

function isZip(file: File): boolean {
  return /\.zip$/i.test(file.name) || file.type === 'application/zip' || file.type === 'application/x-zip-compressed';
}

/** From `<input type=file>` (plain or webkitdirectory): paths inside a picked folder exclude the folder itself. */
export function pickedFromInput(files: FileList | readonly File[]): PickedFile[] {
  return Array.from(files, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function topFolder(picked: readonly PickedFile[]): string | undefined {
  const first = picked[0]?.path.split('/')[0];
  if (!first || !picked.every((p) => p.path.includes('/') && p.path.split('/')[0] === first)) return undefined;
  return first;
}

/** Each zip is its own bundle; everything else picked together forms one bundle of loose files. */
export function importSources(picked: readonly PickedFile[]): ImportSource[] {
  const zips = picked.filter((p) => isZip(p.file));
  const loose = picked.filter((p) => !isZip(p.file));
  const sources: ImportSource[] = zips.map((p) => ({ kind: 'zip', name: p.file.name, file: p.file }));
  if (loose.length > 0) {
    const folder = topFolder(loose);
    const strip = folder ? folder.length + 1 : 0;
    sources.push({
      kind: 'files',
      name: folder ?? (loose.length === 1 ? loose[0]!.file.name : `${loose.length} files`),
      files: loose.map((p) => ({ path: p.path.slice(strip), data: p.file })),
    });
  }
  return sources;
}
