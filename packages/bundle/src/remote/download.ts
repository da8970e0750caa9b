// One download: the bytes at a URL, read as a stream so that progress can be shown and size limits enforced,
// with a network failure told apart as offline, a server that refuses cross-origin reads, or one out of reach.
import { formatBytes } from '../limits.ts';
import { RemoteError } from './remote-error.ts';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface Network {
  fetch: Fetch;
  /** The browser's navigator.onLine; when false, nothing is fetched. */
  isOnline?: () => boolean;
  signal?: AbortSignal;
}

export interface Downloaded {
  /** Where the bytes came from after redirects: the base for relative paths inside them. */
  url: string;
  /** The bytes, as one Blob built straight from the received chunks (no second copy in between). */
  data: Blob;
  contentType: string;
}

export interface DownloadLimits {
  /** Largest download accepted, in bytes. */
  maxSize: number;
}

/** Says what was being fetched, for messages: "the manifest", "part firmware/app.bin named by manifest.json". */
export interface DownloadSubject {
  what: string;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function offlineError(url: string): RemoteError {
  return new RemoteError('offline', `This laptop is offline: connect once to fetch ${url}. After that the release stays on this device and works offline.`, {
    url,
    hint: 'Connect to a network (at the office, or a phone hotspot), then add the release again.',
  });
}

function cancelled(url: string): RemoteError {
  return new RemoteError('cancelled', `Fetching ${url} was cancelled. Nothing was stored.`, { url, hint: 'Add the release again when you are ready.' });
}

/**
 * A fetch that rejects means no response was readable. In a browser that is offline, a server that cannot be
 * reached, or a server that answered without CORS headers (an opaque TypeError, by design). A no-cors request to
 * the same address succeeds only in the last case, which tells it apart.
 */
async function networkFailure(url: string, subject: DownloadSubject, network: Network, cause: unknown): Promise<RemoteError> {
  if (network.signal?.aborted) return cancelled(url);
  if (network.isOnline && !network.isOnline()) return offlineError(url);
  const host = hostOf(url);
  let answered = false;
  try {
    await network.fetch(url, { mode: 'no-cors', cache: 'no-store', signal: network.signal ?? null });
    answered = true;
  } catch {
    answered = false;
  }
  if (network.signal?.aborted) return cancelled(url);
  if (answered) {
    return new RemoteError(
      'cross-origin-refused',
      `${host} answered, but does not let other web apps read its files (it sends no CORS header), so FieldFlash cannot fetch ${subject.what} from ${url}.`,
      { url, hint: `Download the release zip from ${host} in a browser tab, then drop the zip here.`, cause },
    );
  }
  return new RemoteError('unreachable', `FieldFlash could not reach ${host} to fetch ${subject.what} (${url}).`, {
    url,
    hint: `Check the address, and that this laptop is on a network that reaches ${host}; then try again.`,
    cause,
  });
}

function statusError(url: string, subject: DownloadSubject, response: Response): RemoteError {
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.status === 404 || response.status === 410) {
    return new RemoteError('missing', `${subject.what[0]!.toUpperCase()}${subject.what.slice(1)} is missing: ${url} answered ${status}.`, {
      url,
      hint: 'The publisher may have moved or removed it. Check the address, or download the release zip instead.',
    });
  }
  return new RemoteError('http-error', `${hostOf(url)} answered ${status} for ${subject.what} (${url}).`, {
    url,
    hint: response.status >= 500 ? 'The server has a problem; try again later.' : 'Check the address, or download the release zip instead.',
  });
}

function tooBig(url: string, subject: DownloadSubject, max: number): RemoteError {
  return new RemoteError('too-big', `${subject.what[0]!.toUpperCase()}${subject.what.slice(1)} at ${url} is larger than the ${formatBytes(max)} FieldFlash accepts, so it stopped downloading.`, {
    url,
    hint: 'Check that the address names the release itself.',
  });
}

/**
 * Downloads `url`, calling `onBytes(done, total)` as bytes arrive (total from Content-Length when the server
 * gives one). Throws RemoteError.
 */
export async function download(
  url: string,
  subject: DownloadSubject,
  network: Network,
  limits: DownloadLimits,
  onBytes?: (done: number, total: number | undefined) => void,
): Promise<Downloaded> {
  if (network.signal?.aborted) throw cancelled(url);
  if (network.isOnline && !network.isOnline()) throw offlineError(url);
  let response: Response;
  try {
    // no-store: a check for newer versions must see what the server holds now, not a copy cached for its max-age.
    response = await network.fetch(url, { cache: 'no-store', signal: network.signal ?? null });
  } catch (error) {
    throw await networkFailure(url, subject, network, error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw statusError(url, subject, response);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  // A compressed body's Content-Length counts compressed bytes; the stream gives them inflated.
  const total = Number.isFinite(declared) && !response.headers.get('content-encoding') ? declared : undefined;
  if (total !== undefined && total > limits.maxSize) {
    await response.body?.cancel().catch(() => undefined);
    throw tooBig(url, subject, limits.maxSize);
  }
  const chunks: Uint8Array[] = [];
  let done = 0;
  onBytes?.(0, total);
  try {
    const reader = response.body?.getReader();
    for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
      done += next.value.length;
      if (done > limits.maxSize) {
        await reader!.cancel().catch(() => undefined);
        throw tooBig(url, subject, limits.maxSize);
      }
      chunks.push(next.value);
      onBytes?.(done, total === undefined ? undefined : Math.max(total, done));
    }
  } catch (error) {
    if (error instanceof RemoteError) throw error;
    if (network.signal?.aborted) throw cancelled(url);
    if (network.isOnline && !network.isOnline()) throw offlineError(url);
    throw new RemoteError('unreachable', `The connection to ${hostOf(url)} broke while fetching ${subject.what} (${url}).`, {
      url,
      hint: 'Try again; if it keeps failing, download the release zip instead.',
      cause: error,
    });
  }
  return { url: response.url || url, data: new Blob(chunks as BlobPart[]), contentType: response.headers.get('content-type') ?? '' };
}
