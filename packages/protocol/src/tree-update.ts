// A source-tree update's image (docs/protocol.md §4.8): once logged in, the client reads the files of the device's
// running tree (GET /tree), works out the delta against the release's tree (only the files whose SHA-256 differs,
// and those the new tree drops), and builds the payload of that delta. Done once per update: an update resumed after
// any interruption offers the same payload, so the device continues it from its offset.

import { describeSourceTreeDelta, type SourceTreeDelta, sourceTreeDelta } from '@fieldflash/bundle/source-tree-delta';
import { bytesImage, type ImageSource } from './image-source.ts';
import { expectOk } from './replies.ts';
import { parseTreeListing } from './tree-messages.ts';
import { buildTreePayload } from './tree-payload.ts';
import type { SourceTreeImage, TreeDeltaSummary } from './tree-image.ts';
import type { UpdateRun } from './update-run.ts';

export function summariseDelta(delta: SourceTreeDelta): TreeDeltaSummary {
  return {
    filesSent: delta.send.length,
    files: delta.send.length + delta.unchanged.length,
    removed: delta.removed.length,
    bytesToSend: delta.bytesToSend,
    bytesSaved: delta.bytesSaved,
    totalBytes: delta.totalBytes,
    description: describeSourceTreeDelta(delta),
  };
}

/** Reads the device's tree and builds the payload of the delta; reports the delta with the progress. */
export async function treeImage(run: UpdateRun, tree: SourceTreeImage): Promise<ImageSource> {
  const link = await run.link.ensureLink();
  const listing = expectOk(await link.request('GET', '/tree'), parseTreeListing, 'the source-tree listing');
  const delta = sourceTreeDelta(tree.files, listing.files, tree.deviceLocal);
  const data = new Map(tree.files.map((f) => [f.path, f.data]));
  const payload = await buildTreePayload({
    version: tree.version,
    entry: tree.entry,
    deviceLocal: tree.deviceLocal,
    write: delta.send.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, data: data.get(f.path)! })),
    remove: delta.removed,
  });
  run.progress.report({ tree: summariseDelta(delta) });
  return bytesImage(payload.bytes, payload.sha256);
}
