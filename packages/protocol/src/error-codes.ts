// Refusals a device gives, with a stable code, the HTTP status it travels with, and a default sentence for people;
// the refusal body (docs/protocol.md §6) and its parser.

import { Fields, intItem } from './fields.ts';

export const ERROR_CODES = {
  unauthenticated: { status: 401, message: 'This request needs a login. Pair with the device\'s pairing code first.' },
  'session-expired': { status: 401, message: 'The login has expired. Authenticate again to continue.' },
  'bad-mac': { status: 401, message: 'The request\'s MAC does not match it: it was altered, or signed with another session key.' },
  replayed: { status: 401, message: 'This challenge or request was already used, has expired, or is unknown. Ask again.' },
  'bad-proof': { status: 401, message: 'The password proof is wrong. Check the device password and try again.' },
  'rate-limited': { status: 429, message: 'Too many failed attempts. Wait before trying again.' },
  'incompatible-chip': { status: 409, message: 'The image is built for another chip family than this device has.' },
  'incompatible-board': { status: 409, message: 'The image is built for another board than this device.' },
  'incompatible-hardware': { status: 409, message: 'The image does not support this hardware revision.' },
  'incompatible-product': { status: 409, message: 'The image is a release of another product than this device runs.' },
  'incompatible-runtime': { status: 409, message: 'The source tree needs another runtime, or a newer one, than this device runs.' },
  'image-mismatch': { status: 422, message: 'The image itself says something else than the offer claimed; the upload was discarded.' },
  'signature-required': { status: 403, message: 'This device installs signed releases only. Send the release with its manifest and signature (fieldflash.json and fieldflash.json.sig).' },
  'untrusted-key': { status: 403, message: 'The release is signed with a key this device does not trust. Install a release signed with one of the keys the device lists, or add the publisher\'s key to the device.' },
  'bad-signature': { status: 422, message: 'The signature does not match the manifest: the release was changed after it was signed. Get the release again from its publisher.' },
  'unsupported-manifest': { status: 422, message: 'The signed manifest is not a FieldFlash release manifest (fieldflash.json), so the device cannot check the image against it.' },
  'not-in-release': { status: 422, message: 'The offered image is not one the signed manifest lists. Send an image of the signed release.' },
  downgrade: { status: 409, message: 'The image is older than what the device runs. Send with force to downgrade.' },
  'sequence-too-low': { status: 409, message: 'The image sequence number is below the device\'s; the device refuses to go back.' },
  'security-version-too-low': { status: 409, message: 'The image security version is below the device\'s; the device refuses it even with force.' },
  'too-large': { status: 413, message: 'The image is larger than the device can hold.' },
  'digest-mismatch': { status: 422, message: 'The received image does not match its SHA-256; the upload was discarded. Send it again.' },
  'chunk-corrupt': { status: 400, message: 'A chunk arrived damaged (its digest does not match); send it again.' },
  'offset-mismatch': { status: 409, message: 'The chunk is not where the device expects it; continue from the offset it reports.' },
  busy: { status: 409, message: 'Another client is updating this device. Wait until it finishes or its session lapses.' },
  'unknown-session': { status: 404, message: 'The device has no update session for this image. Offer the update again.' },
  'nothing-to-commit': { status: 409, message: 'There is nothing complete to commit. Finish sending the image first.' },
  'not-pending': { status: 409, message: 'The image is not the one waiting for its test boot (or none is), so the device cannot reboot into it later. Commit it first.' },
  'unsupported-protocol': { status: 400, message: 'The device does not speak this protocol version.' },
  'install-failed': { status: 422, message: "The device's install step refused the image; the slot was not changed." },
  'bad-request': { status: 400, message: 'The device could not understand the request.' },
  'unknown-host': { status: 421, message: 'The request names a host that is not this device (a DNS rebinding attempt?). Use the device\'s address.' },
  'too-many-peers': { status: 503, message: 'The device has as many WebRTC connections open as it allows. Close one, or use HTTP.' },
  'too-many-connections': { status: 503, message: 'The device has as many connections open as it allows, all of them busy. Try again in a moment.' },
  timeout: { status: 408, message: 'The upload was idle for too long and the device dropped it. Continue from its offset.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The body of every refusal: `{ error: { code, message, ...details } }`. */
export interface ErrorBody {
  error: ErrorDetails;
}

export interface ErrorDetails {
  /** A stable code; clients must treat codes they do not know as a generic failure with `message`. */
  code: ErrorCode | (string & {});
  /** A sentence for people, written by the device. */
  message: string;
  /** Where the device wants the next byte (`offset-mismatch`, `chunk-corrupt`, `timeout`). */
  offset?: number;
  /** Seconds until the device accepts another attempt (`rate-limited`). */
  retryAfterSeconds?: number;
  /** Why, in the device's words (`install-failed`). */
  reason?: string;
  /** Protocol major versions the device speaks (`unsupported-protocol`). */
  supported?: number[];
  /** The signing key's id (`untrusted-key`, `bad-signature`). */
  keyId?: string;
  /** Which claim of the offer the image (or the signed manifest) contradicts (`image-mismatch`). */
  field?: string;
  /** What the offer claimed (`image-mismatch`); `image` is what the image itself says. */
  offered?: string | number;
  /** The two values a refused offer compared: the device's and the image's (versions, names or counters). */
  device?: string | number;
  image?: string | number;
  /** The device's largest image (`too-large` at offer). */
  maxImageSize?: number;
  /** The device's largest chunk (`too-large` for a chunk). */
  chunkSize?: number;
  /** The SHA-256 the received bytes have (`digest-mismatch`). */
  actual?: string;
  [detail: string]: unknown;
}

/** Builds the body of a refusal; the device may replace the default sentence with a more precise one. */
export function errorBody(code: ErrorCode, details: Partial<Omit<ErrorDetails, 'code'>> = {}): ErrorBody {
  const message: string = typeof details.message === 'string' ? details.message : ERROR_CODES[code].message;
  return { error: { ...details, code, message } };
}

export function parseErrorBody(json: unknown): ErrorBody {
  const f = new Fields(json, 'ErrorBody');
  const e = f.object('error');
  const details: ErrorDetails = { ...(json as ErrorBody).error, code: e.string('code', { maxLength: 64 }), message: e.string('message', { maxLength: 1024 }) };
  if (e.has('offset')) details.offset = e.int('offset');
  if (e.has('retryAfterSeconds')) details.retryAfterSeconds = e.int('retryAfterSeconds');
  if (e.has('supported')) details.supported = e.array('supported', intItem);
  if (e.has('keyId')) details.keyId = e.string('keyId', { pattern: /^[0-9a-f]{16}$/, what: '16 lower-case hex digits' });
  if (e.has('field')) details.field = e.string('field', { maxLength: 64 });
  if (e.has('offered')) details.offered = typeof e.raw('offered') === 'string' ? e.string('offered', { minLength: 0 }) : e.int('offered', Number.MIN_SAFE_INTEGER);
  for (const name of ['device', 'image'] as const) {
    if (e.has(name)) details[name] = typeof e.raw(name) === 'number' ? e.int(name) : e.string(name, { maxLength: 256 });
  }
  if (e.has('maxImageSize')) details.maxImageSize = e.int('maxImageSize', 1);
  if (e.has('chunkSize')) details.chunkSize = e.int('chunkSize', 1);
  if (e.has('actual')) details.actual = e.sha256('actual');
  if (e.has('reason')) details.reason = e.string('reason', { maxLength: 1024 });
  return { error: details };
}

/** A device's refusal, as the client sees it: the HTTP status, the stable code and the device's own sentence. */
export class DeviceRefusal extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(status: number, details: ErrorDetails) {
    super(details.message);
    this.name = 'DeviceRefusal';
    this.code = details.code;
    this.status = status;
    this.details = details;
  }
}
