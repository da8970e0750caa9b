// The source-tree payload (docs/protocol.md §4.8): what a client sends as the image of a source-tree update. Lines
// a small board reads one at a time ("fieldflash-tree 1", version, entry, local, delete, file <sha256> <size> <path>
// followed by the file's bytes, end), so the device parses it as it streams in with one 512-byte line buffer and
// never needs the whole list of files in RAM. The same delta always gives the same bytes, so its SHA-256 names it
// across a resume.

import { sha256, toHex } from './crypto.ts';
import { UpdateError } from './update-error.ts';

export const TREE_PAYLOAD_MAGIC = 'fieldflash-tree 1';
/** Longest record line, its newline included. */
export const TREE_LINE_LIMIT = 512;

export interface TreePayloadFile {
  /** Where the file lands, relative to the tree's folder on the device. */
  path: string;
  sha256: string;
  size: number;
  data: Blob;
}

export interface TreePayloadSpec {
  version: string;
  /** The module the device starts: "main". */
  entry: string;
  /** The release's device-local paths ("env.py", "data/"): the device never writes or removes them. */
  deviceLocal: readonly string[];
  write: readonly TreePayloadFile[];
  /** Paths of files the new tree no longer has. */
  remove: readonly string[];
}

export interface TreePayload {
  bytes: Uint8Array;
  sha256: string;
}

const encoder = new TextEncoder();

function line(text: string): Uint8Array {
  if (/[\n\r\0]/.test(text)) throw new UpdateError(`The source tree names a path with a line break or NUL (${JSON.stringify(text.slice(0, 60))}); a device cannot take it.`);
  const bytes = encoder.encode(`${text}\n`);
  if (bytes.length > TREE_LINE_LIMIT) throw new UpdateError(`A record of the source-tree payload is longer than ${TREE_LINE_LIMIT} bytes: ${text.slice(0, 60)}…; shorten the path.`);
  return bytes;
}

export async function buildTreePayload(spec: TreePayloadSpec): Promise<TreePayload> {
  const parts: Uint8Array[] = [line(TREE_PAYLOAD_MAGIC), line(`version ${spec.version}`), line(`entry ${spec.entry}`)];
  for (const local of spec.deviceLocal) parts.push(line(`local ${local}`));
  for (const path of spec.remove) parts.push(line(`delete ${path}`));
  for (const file of spec.write) {
    if (file.data.size !== file.size) throw new UpdateError(`${file.path} holds ${file.data.size} bytes, not the ${file.size} the release lists.`);
    parts.push(line(`file ${file.sha256.toLowerCase()} ${file.size} ${file.path}`));
    parts.push(new Uint8Array(await file.data.arrayBuffer()));
  }
  parts.push(line('end'));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, sha256: toHex(await sha256(bytes)) };
}
