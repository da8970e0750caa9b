// Every message of the FieldFlash LAN update protocol v1 (docs/protocol.md), as types and as typed parsers.
// Parsers accept unknown fields (devices and clients of later minor versions may add some) and refuse wrong ones
// with a MessageError naming the field.

import { type ErrorBody, type ErrorDetails } from './error-codes.ts';
import { CLIENT_ID, defined, Fields, intItem, MessageError, stringItem } from './fields.ts';

export const PROTOCOL_VERSION = 1;
export const API_BASE = '/fieldflash/v1';
/** The data channel's label; the protocol major version is part of it. */
export const DATA_CHANNEL_LABEL = 'fieldflash-v1';

export const SLOT_STATES = ['active', 'pending', 'confirmed', 'empty'] as const;
export type SlotState = (typeof SLOT_STATES)[number];

export const UPDATE_OUTCOMES = ['pending', 'confirmed', 'rolled-back'] as const;
export type UpdateOutcome = (typeof UPDATE_OUTCOMES)[number];

export const CAPABILITIES = ['http', 'webrtc', 'resume', 'pipeline', 'slot-images'] as const;
export type Capability = (typeof CAPABILITIES)[number];

// ---------------------------------------------------------------- identity and state

export interface Slot {
  name: string;
  state: SlotState;
  /** Present unless the slot is empty. */
  version?: string;
  sha256?: string;
  size?: number;
}

export interface LastUpdate {
  sha256: string;
  version: string;
  outcome: UpdateOutcome;
  /** Why an update was rolled back, in words for people. */
  reason?: string;
}

export interface DeviceDocument {
  id: string;
  product: string;
  chipFamily: string;
  board: string;
  hardwareRevision: string;
  version: string;
  sequence: number;
  securityVersion: number;
  agentVersion: string;
  protocol: { versions: number[] };
  /** Known values are in CAPABILITIES; unknown ones are kept and ignored. */
  capabilities: string[];
  maxImageSize: number;
  chunk: { size: number; window: number };
  slots: Slot[];
  lastUpdate?: LastUpdate;
}

// ---------------------------------------------------------------- authentication

export interface ChallengeRequest {
  clientId: string;
}

export interface Challenge {
  challengeId: string;
  /** Base64 of at least 16 random bytes; used as the text it is in the proofs. */
  nonce: string;
  /** Base64 of the PBKDF2 salt bytes. */
  salt: string;
  kdf: { name: 'PBKDF2-SHA256'; iterations: number };
  /** Seconds until the challenge lapses. */
  expiresIn: number;
}

export interface AuthRequest {
  challengeId: string;
  clientId: string;
  /** Base64 of 16 random bytes chosen by the client. */
  clientNonce: string;
  /** Hex HMAC-SHA-256, see clientProof(). */
  proof: string;
}

export interface AuthReply {
  token: string;
  /** Seconds until the token lapses. */
  expiresIn: number;
  /** Hex HMAC-SHA-256, see deviceProof(); the client checks it. */
  deviceProof: string;
}

// ---------------------------------------------------------------- update sessions

export interface SlotImage {
  /** The device's slot name this image is linked for (slot0 of a release maps to the device's first slot). */
  slot: string;
  sha256: string;
  size: number;
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
}

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

// ---------------------------------------------------------------- WebRTC

/** Both directions of signaling: the offer sent to the device and the answer it returns. */
export interface WebRtcSignal {
  sdp: string;
  /** Hex HMAC-SHA-256 over the DTLS fingerprint, keyed by the session key; see fingerprintProof(). */
  fingerprintProof: string;
}
export type WebRtcOffer = WebRtcSignal;
export type WebRtcAnswer = WebRtcSignal;

// ---------------------------------------------------------------- data-channel frames

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** A text frame from the client: one request, as over HTTP, without token (the channel is authenticated). */
export interface RequestFrame {
  id: number;
  method: Method;
  /** Path with the API base, and a query where HTTP has one. */
  path: string;
  body?: unknown;
}

/** A text frame from the device: the reply to the request with the same id. */
export interface ReplyFrame {
  id: number;
  status: number;
  body?: unknown;
}

/** The JSON header of a binary frame carrying one chunk. */
export interface ChunkFrameHeader {
  id: number;
  method: 'PUT';
  /** `/fieldflash/v1/updates/{sha256}`, without query: the offset is in `offset`. */
  path: string;
  offset: number;
  /** RFC 9530 Content-Digest value of the chunk bytes: `sha-256=:<base64>:`. */
  digest: string;
}

// ================================================================ parsers

function slot(value: unknown, path: string): Slot {
  const f = new Fields(value, path);
  const state = f.oneOf('state', SLOT_STATES);
  const filled = state !== 'empty';
  return defined({
    name: f.string('name', { maxLength: 32 }),
    state,
    version: filled || f.has('version') ? f.semver('version') : undefined,
    sha256: filled || f.has('sha256') ? f.sha256('sha256') : undefined,
    size: filled || f.has('size') ? f.int('size') : undefined,
  });
}

function lastUpdate(f: Fields): LastUpdate {
  return defined({
    sha256: f.sha256('sha256'),
    version: f.semver('version'),
    outcome: f.oneOf('outcome', UPDATE_OUTCOMES),
    reason: f.optional('reason', (g, n) => g.string(n, { minLength: 0 })),
  });
}

export function parseDeviceDocument(json: unknown): DeviceDocument {
  const f = new Fields(json, 'DeviceDocument');
  const protocol = f.object('protocol');
  const chunk = f.object('chunk');
  const doc: DeviceDocument = {
    id: f.string('id', { maxLength: 128 }),
    product: f.string('product'),
    chipFamily: f.string('chipFamily'),
    board: f.string('board'),
    hardwareRevision: f.string('hardwareRevision'),
    version: f.semver('version'),
    sequence: f.int('sequence'),
    securityVersion: f.int('securityVersion'),
    agentVersion: f.string('agentVersion'),
    protocol: { versions: protocol.array('versions', intItem, 1) },
    capabilities: f.array('capabilities', stringItem),
    maxImageSize: f.int('maxImageSize', 1),
    chunk: { size: chunk.int('size', 1), window: chunk.int('window', 1) },
    slots: f.array('slots', slot, 1),
  };
  if (f.has('lastUpdate')) doc.lastUpdate = lastUpdate(f.object('lastUpdate'));
  return doc;
}

export function parseChallengeRequest(json: unknown): ChallengeRequest {
  const f = new Fields(json, 'ChallengeRequest');
  return { clientId: f.string('clientId', { pattern: CLIENT_ID, what: '1 to 64 letters, digits, ".", "_" or "-"' }) };
}

export function parseChallenge(json: unknown): Challenge {
  const f = new Fields(json, 'Challenge');
  const kdf = f.object('kdf');
  return {
    challengeId: f.string('challengeId', { maxLength: 128 }),
    nonce: f.string('nonce', { pattern: BASE64, what: 'base64' }),
    salt: f.string('salt', { pattern: BASE64, what: 'base64' }),
    kdf: { name: kdf.literal('name', 'PBKDF2-SHA256'), iterations: kdf.int('iterations', 100_000) },
    expiresIn: f.int('expiresIn', 1),
  };
}

export function parseAuthRequest(json: unknown): AuthRequest {
  const f = new Fields(json, 'AuthRequest');
  return {
    challengeId: f.string('challengeId', { maxLength: 128 }),
    clientId: f.string('clientId', { pattern: CLIENT_ID, what: '1 to 64 letters, digits, ".", "_" or "-"' }),
    clientNonce: f.string('clientNonce', { pattern: BASE64, what: 'base64' }),
    proof: f.string('proof', { pattern: HEX_MAC, what: '64 lower-case hex digits (HMAC-SHA-256)' }),
  };
}

export function parseAuthReply(json: unknown): AuthReply {
  const f = new Fields(json, 'AuthReply');
  return {
    token: f.string('token', { maxLength: 512 }),
    expiresIn: f.int('expiresIn', 1),
    deviceProof: f.string('deviceProof', { pattern: HEX_MAC, what: '64 lower-case hex digits (HMAC-SHA-256)' }),
  };
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
    product: f.optional('product', (g, n) => g.string(n)),
    sequence: f.optional('sequence', (g, n) => g.int(n)),
    securityVersion: f.optional('securityVersion', (g, n) => g.int(n)),
    chipFamily: f.string('chipFamily'),
    board: f.optional('board', (g, n) => g.string(n)),
    hardwareRevision: f.optional('hardwareRevision', (g, n) => g.string(n)),
    force: f.optional('force', (g, n) => g.boolean(n)),
    images: f.optional('images', (g, n) => g.array(n, slotImage, 1)),
  });
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

function webRtcSignal(json: unknown, name: string): WebRtcSignal {
  const f = new Fields(json, name);
  return {
    sdp: f.string('sdp', { maxLength: 65536 }),
    fingerprintProof: f.string('fingerprintProof', { pattern: HEX_MAC, what: '64 lower-case hex digits (HMAC-SHA-256)' }),
  };
}
export const parseWebRtcOffer = (json: unknown): WebRtcOffer => webRtcSignal(json, 'WebRtcOffer');
export const parseWebRtcAnswer = (json: unknown): WebRtcAnswer => webRtcSignal(json, 'WebRtcAnswer');

export function parseErrorBody(json: unknown): ErrorBody {
  const f = new Fields(json, 'ErrorBody');
  const e = f.object('error');
  const details: ErrorDetails = { ...(json as ErrorBody).error, code: e.string('code', { maxLength: 64 }), message: e.string('message', { maxLength: 1024 }) };
  if (e.has('offset')) details.offset = e.int('offset');
  if (e.has('retryAfterSeconds')) details.retryAfterSeconds = e.int('retryAfterSeconds');
  if (e.has('supported')) details.supported = e.array('supported', intItem);
  return { error: details };
}

export function parseRequestFrame(json: unknown): RequestFrame {
  const f = new Fields(json, 'RequestFrame');
  return defined({
    id: f.int('id', 0, 0xffffffff),
    method: f.oneOf('method', METHODS),
    path: f.string('path', { pattern: PATH, what: `a path under ${API_BASE}` }),
    body: f.raw('body'),
  });
}

export function parseReplyFrame(json: unknown): ReplyFrame {
  const f = new Fields(json, 'ReplyFrame');
  return defined({ id: f.int('id', 0, 0xffffffff), status: f.int('status', 100, 599), body: f.raw('body') });
}

export function parseChunkFrameHeader(json: unknown): ChunkFrameHeader {
  const f = new Fields(json, 'ChunkFrameHeader');
  return {
    id: f.int('id', 0, 0xffffffff),
    method: f.literal('method', 'PUT'),
    path: f.string('path', { pattern: UPDATE_PATH, what: `${API_BASE}/updates/<sha256>` }),
    offset: f.int('offset'),
    digest: f.string('digest', { pattern: CONTENT_DIGEST, what: 'sha-256=:<base64>:' }),
  };
}

export const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
export const HEX_MAC = /^[0-9a-f]{64}$/;
export const PATH = /^\/fieldflash\/v1\/[A-Za-z0-9/_.-]*(\?[A-Za-z0-9=&_.-]*)?$/;
export const UPDATE_PATH = /^\/fieldflash\/v1\/updates\/[0-9a-f]{64}$/;
export const CONTENT_DIGEST = /^sha-256=:[A-Za-z0-9+/]{43}=:$/;

export { MessageError };
