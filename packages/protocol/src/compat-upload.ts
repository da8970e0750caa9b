// What the two compatibility uploaders share: their options, their progress, and reading a device's refusal into
// words. Neither system says much: ESPHome answers 200 either way, with "Update Successful!" or "Update Failed!";
// ElegantOTA answers 400 with a reason. Both ask for HTTP Basic credentials when the device has them configured.

import { basicAuthorization, type CompatReply, type CompatSend } from './compat-http.ts';

export const COMPAT_KINDS = ['esphome', 'elegantota'] as const;
export type CompatKind = (typeof COMPAT_KINDS)[number];

/** How people name each system. */
export const COMPAT_NAMES: Record<CompatKind, string> = { esphome: 'ESPHome', elegantota: 'ElegantOTA' };

export type CompatPhase = 'hashing' | 'starting' | 'sending' | 'waiting';

export interface CompatProgress {
  phase: CompatPhase;
  /** Bytes of the image sent (or hashed, while hashing). */
  sentBytes: number;
  size: number;
}

export interface CompatUploadOptions {
  /** The device's base URL, e.g. http://192.168.1.40 (anything after the origin is ignored). */
  url: string;
  /** The Basic user name; ESPHome and ElegantOTA have no default, the FieldFlash agent's is `admin`. */
  user?: string;
  /** The Basic password; without one, no credentials are sent (a device configured without them). */
  password?: string;
  image: Blob;
  /** The file name the form carries; devices do not check it. */
  filename?: string;
  send: CompatSend;
  onProgress?(progress: CompatProgress): void;
  signal?: AbortSignal;
}

export type CompatRefusalCode = 'wrong-credentials' | 'rate-limited' | 'origin-refused' | 'no-endpoint' | 'refused';

/** The device answered, and did not take the image. Nothing was installed. */
export class CompatRefusal extends Error {
  constructor(
    readonly code: CompatRefusalCode,
    message: string,
    readonly status: number,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'CompatRefusal';
  }
}

export function authorizationHeaders(options: Pick<CompatUploadOptions, 'user' | 'password'>): Record<string, string> {
  if (options.password === undefined || options.password === '') return {};
  return { Authorization: basicAuthorization(options.user ?? '', options.password) };
}

/** The refusals both systems (and any web server in front of them) give the same way. */
export function commonRefusal(reply: CompatReply, url: string, what: string): CompatRefusal | undefined {
  const host = new URL(url).host;
  switch (reply.status) {
    case 401:
      return new CompatRefusal('wrong-credentials', `The device at ${host} refused the user name or password (HTTP 401); nothing was installed.`, 401);
    case 403:
      return new CompatRefusal('origin-refused', `The device at ${host} refuses ${what} from this web app (HTTP 403): ${brief(reply.text) || 'no reason given'}`, 403);
    case 404:
    case 405:
      return new CompatRefusal('no-endpoint', `${host} has no ${what} endpoint (HTTP ${reply.status}).`, reply.status);
    case 429:
      return new CompatRefusal(
        'rate-limited',
        `The device at ${host} refuses more attempts for now: too many wrong passwords were tried${reply.retryAfter !== undefined ? ` (wait ${reply.retryAfter} s)` : ''}.`,
        429,
        reply.retryAfter,
      );
    default:
      return undefined;
  }
}

/** A device's text reply, shortened to what fits a sentence. */
export function brief(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Turns the bytes of a multipart body sent into the bytes of the image sent, for onProgress. */
export function reportSending(options: CompatUploadOptions, headLength: number): (bytes: number) => void {
  const size = options.image.size;
  return (sent) => options.onProgress?.({ phase: 'sending', sentBytes: Math.min(size, Math.max(0, sent - headLength)), size });
}
