// A stored release's first-install layout, as the parts the serial layer writes.
import type { Build, Release } from '@fieldflash/bundle';
import type { PartImage } from '../serial/esp-session.ts';

export class MissingLayoutError extends Error {}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Reads each part's bytes from the library's Blob, in the layout's order. */
export async function partsForBuild(release: Release, build: Build): Promise<PartImage[]> {
  const layout = build.flash;
  if (!layout || layout.parts.length === 0) {
    throw new MissingLayoutError(`${release.product} ${release.version} has no first-install layout for ${build.target.chipFamily ?? 'this chip'}: it can only be installed over the LAN.`);
  }
  const parts: PartImage[] = [];
  for (const part of layout.parts) {
    const file = release.files.find((f) => f.path === part.path);
    if (!file) throw new MissingLayoutError(`${release.product} ${release.version} lists ${part.path} in its layout, but the file is not in the library. Import the release again.`);
    parts.push({ name: baseName(part.path), offset: part.offset, data: new Uint8Array(await file.data.arrayBuffer()) });
  }
  return parts;
}
