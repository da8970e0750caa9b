// Release.id: the same product, version and file contents always give the same id, whether the release
// arrived as a zip, a folder or a re-export, and wherever its folder sat.
import { sha256Hex } from './digest.ts';

/** `root` is the folder the release's paths are relative to (the manifest's, with a trailing '/'; "" for the bundle's root). */
export async function releaseId(product: string, version: string, files: ReadonlyArray<{ path: string; sha256: string }>, root: string): Promise<string> {
  const lines = files
    .map((f) => `${f.path.startsWith(root) ? f.path.slice(root.length) : f.path} ${f.sha256}`)
    .sort();
  return sha256Hex(`fieldflash-release-id/v1\n${product}\n${version}\n${lines.join('\n')}\n`);
}
