// Release zips on disk: read through the same importer the app uses, and written whole or not at all.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readBundle, type Release } from '@fieldflash/bundle';
import { CliProblem } from './problem.ts';

export interface OpenedBundle {
  path: string;
  bytes: Uint8Array;
  releases: Release[];
}

/** Reads a bundle as the app would: every check passes or a BundleError says what is wrong. */
export async function openBundle(path: string): Promise<OpenedBundle> {
  const bytes = new Uint8Array(readFileSync(path));
  const releases = await readBundle({ name: basename(path), data: new Blob([bytes]) });
  return { path, bytes, releases };
}

export function refuseToReplace(path: string, force: boolean): void {
  if (!force && existsSync(path)) throw new CliProblem(`${path} already exists.`, 'Choose another --out, or add --force to replace it.');
}

/** Writes beside the target and renames, so an interrupted run never leaves half a zip under the release's name. */
export function writeWhole(path: string, bytes: Uint8Array): void {
  const partial = join(dirname(path), `.${basename(path)}.partial`);
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
}
