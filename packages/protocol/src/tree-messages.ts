// The running source tree as a device lists it (docs/protocol.md §4.8, GET /fieldflash/v1/tree): each file's path,
// size and SHA-256, device-local files and `.version` left out. A client compares it with a release's tree to send
// only the files that differ.

import { defined, Fields } from './fields.ts';

export interface TreeListingFile {
  /** Relative to the tree's folder, "/" between folder names: "lib/sensor.py". */
  path: string;
  size: number;
  sha256: string;
}

export interface TreeListing {
  /** The tree's folder on the device, e.g. /app. */
  root?: string;
  /** The first line of the tree's `.version`, as the device recorded it. */
  version?: string;
  files: TreeListingFile[];
}

function listingFile(value: unknown, path: string): TreeListingFile {
  const f = new Fields(value, path);
  return { path: f.string('path', { maxLength: 255 }), size: f.int('size'), sha256: f.sha256('sha256') };
}

export function parseTreeListing(json: unknown): TreeListing {
  const f = new Fields(json, 'TreeListing');
  return defined({
    root: f.optional('root', (g, n) => g.string(n, { maxLength: 255 })),
    version: f.optional('version', (g, n) => g.string(n, { maxLength: 64 })),
    files: f.array('files', listingFile),
  });
}
