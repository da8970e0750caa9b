// Release.id: the same product, version and file contents always give the same id, whether the release
// arrived as a zip, a folder or a re-export, and wherever its folder sat.
import { sha256Hex } from './digest.ts';
import { dirname } from './zip/entry-name.ts';

export async function releaseId(product: string, version: string, files: ReadonlyArray<{ path: string; sha256: string }>, manifestPath?: string): Promise<string> {
  const root = manifestPath ? dirname(manifestPath) : '';
  const lines = files
    .map((f) => `${f.path.startsWith(root) ? f.path.slice(root.length) : f.path} ${f.sha256}`)
    .sort();
  return sha256Hex(`fieldflash-release-id/v1\n${product}\n${version}\n${lines.join('\n')}\n`);
}
