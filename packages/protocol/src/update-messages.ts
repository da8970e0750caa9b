// The messages of an update session (docs/protocol.md §4–§5): the offer, the session the device opens for it,
// the acknowledgement of each chunk, and the replies to commit and reboot.

import { base64Length, BASE64_PADDED, defined, Fields } from './fields.ts';

export interface SlotImage {
  /** The device's slot name this image is linked for (slot0 of a release maps to the device's first slot). */
  slot: string;
  sha256: string;
  size: number;
}

/** What an update carries (docs/protocol.md §4.8): a firmware image (the default), or a source-tree payload. */
export const UPDATE_KINDS = ['firmware', 'source-tree'] as const;
export type UpdateKind = (typeof UPDATE_KINDS)[number];

/** The runtime a source tree needs: its name and lowest version (SemVer), as the release says. */
export interface OfferedRuntime {
  name: string;
  minVersion?: string;
}

export interface UpdateOffer {
  sha256: string;
  size: number;
  version: string;
  product?: string;
  sequence?: number;
  securityVersion?: number;
  chipFamily: string;
  board?: string;
  hardwareRevision?: string;
  force?: boolean;
  /** One image per slot (RIOT style); the device picks the one for its inactive slot. */
  images?: SlotImage[];
  /** `source-tree`: the image is a source-tree payload (§4.8); sent only to a device with the `source-tree` capability. */
  kind?: UpdateKind;
  /** For a source tree: the runtime it needs, which the device checks (409 incompatible-runtime). */
  runtime?: OfferedRuntime;
  /** The release's manifest and its signature (§4.9): sent whenever the release is signed. */
  release?: OfferedRelease;
}

/** The signature file's JSON object (docs/bundle-format.md), as the offer carries it. */
export interface OfferedSignature {
  format: 'fieldflash-signature';
  algorithm: 'ed25519' | 'ecdsa-p256';
  /** The first 16 hex digits of the SHA-256 of the signing key's SPKI. */
  keyId: string;
  /** Base64 of 64 bytes: Ed25519, or ECDSA P-256 r||s over SHA-256. */
  signature: string;
}

/** A signed release in an offer (§4.9): the manifest's exact bytes in base64, and the signature over them. */
export interface OfferedRelease {
  manifest: string;
  signature: OfferedSignature;
}

/**
 * Largest manifest an offer carries: room for a release of several hundred files (about 200 bytes each), and its
 * base64 still leaves the offer within MAX_OFFER_BODY (§10).
 */
export const MAX_MANIFEST_BYTES = 128 * 1024;
/** Largest offer body (§10): other JSON bodies stay within 64 KiB; an offer may carry a signed manifest. */
export const MAX_OFFER_BODY = 192 * 1024;

/**
 * Bounds of the anti-rollback counters (docs/protocol.md §4.1). A sequence is a uint32, as firmware counters are;
 * a security version rises only with a security fix, and the hardware that enforces it counts far lower (ESP eFuse
 * anti-rollback: 32 or 16), so 255 leaves room while no claim can reach past what a later release can still say.
 */
export const MAX_SEQUENCE = 0xffffffff;
export const MAX_SECURITY_VERSION = 255;
/** Longest product, chip, board or hardware revision name: enough for any real name, short enough to quote. */
export const MAX_NAME_LENGTH = 128;

export const SESSION_STATES = ['receiving', 'complete'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export interface UpdateSession {
  /** The image the client must send (with `images`, the one for the inactive slot). */
  sha256: string;
  size: number;
  slot: string;
  /** Where the device wants the next byte. */
  offset: number;
  chunkSize: number;
  window: number;
  state: SessionState;
}

/** The reply to each chunk: the contiguous offset received so far. */
export interface ChunkAck {
  offset: number;
  size: number;
}

export interface CommitReply {
  slot: string;
  state: 'pending';
}

export interface RebootReply {
  rebootingInMs: number;
}

function slotImage(value: unknown, path: string): SlotImage {
  const f = new Fields(value, path);
  return { slot: f.string('slot', { maxLength: 32 }), sha256: f.sha256('sha256'), size: f.int('size', 1) };
}

export function parseUpdateOffer(json: unknown): UpdateOffer {
  const f = new Fields(json, 'UpdateOffer');
  return defined({
    sha256: f.sha256('sha256'),
    size: f.int('size', 1),
    version: f.semver('version'),
    product: f.optional('product', (g, n) => g.string(n, { maxLength: MAX_NAME_LENGTH })),
    sequence: f.optional('sequence', (g, n) => g.int(n, 0, MAX_SEQUENCE)),
    securityVersion: f.optional('securityVersion', (g, n) => g.int(n, 0, MAX_SECURITY_VERSION)),
    chipFamily: f.string('chipFamily', { maxLength: MAX_NAME_LENGTH }),
    board: f.optional('board', (g, n) => g.string(n, { maxLength: MAX_NAME_LENGTH })),
    hardwareRevision: f.optional('hardwareRevision', (g, n) => g.string(n, { maxLength: MAX_NAME_LENGTH })),
    force: f.optional('force', (g, n) => g.boolean(n)),
    images: f.optional('images', (g, n) => g.array(n, slotImage, 1)),
    kind: f.optional('kind', (g, n) => g.oneOf(n, UPDATE_KINDS)),
    runtime: f.optional('runtime', (g, n) => offeredRuntime(g.object(n))),
    release: f.optional('release', (g, n) => offeredRelease(g.object(n))),
  });
}

function offeredRelease(f: Fields): OfferedRelease {
  const manifest = f.string('manifest', { pattern: BASE64_PADDED, what: 'padded base64 of the manifest file', maxLength: base64Length(MAX_MANIFEST_BYTES) });
  const s = f.object('signature');
  const signature: OfferedSignature = {
    format: s.literal('format', 'fieldflash-signature'),
    algorithm: s.oneOf('algorithm', ['ed25519', 'ecdsa-p256'] as const),
    keyId: s.string('keyId', { pattern: /^[0-9a-f]{16}$/, what: '16 lower-case hex digits' }),
    signature: s.base64Bytes('signature', 64, 64),
  };
  return { manifest, signature };
}

function offeredRuntime(f: Fields): OfferedRuntime {
  return defined({ name: f.string('name', { maxLength: 32 }), minVersion: f.optional('minVersion', (g, n) => g.semver(n)) });
}

export function parseUpdateSession(json: unknown): UpdateSession {
  const f = new Fields(json, 'UpdateSession');
  const size = f.int('size', 1);
  return {
    sha256: f.sha256('sha256'),
    size,
    slot: f.string('slot', { maxLength: 32 }),
    offset: f.int('offset', 0, size),
    chunkSize: f.int('chunkSize', 1),
    window: f.int('window', 1),
    state: f.oneOf('state', SESSION_STATES),
  };
}

export function parseChunkAck(json: unknown): ChunkAck {
  const f = new Fields(json, 'ChunkAck');
  const size = f.int('size', 1);
  return { offset: f.int('offset', 0, size), size };
}

export function parseCommitReply(json: unknown): CommitReply {
  const f = new Fields(json, 'CommitReply');
  return { slot: f.string('slot', { maxLength: 32 }), state: f.literal('state', 'pending') };
}

export function parseRebootReply(json: unknown): RebootReply {
  const f = new Fields(json, 'RebootReply');
  return { rebootingInMs: f.int('rebootingInMs') };
}
