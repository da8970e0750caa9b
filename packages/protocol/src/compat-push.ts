// A compatibility push from start to verdict: note the version the device reports, upload the image the way its
// system takes it (ESPHome or ElegantOTA), then wait for it to come back after its reboot. The limits are the
// systems': no resume (a broken upload starts again from its first byte), no slot information, no rollback report.

import { parseDeviceDocument } from './device-document.ts';
import { targetAddressSpace } from './address-space.ts';
import { uploadElegantOta } from './compat-elegantota.ts';
import { uploadEsphome } from './compat-esphome.ts';
import type { CompatKind, CompatUploadOptions } from './compat-upload.ts';
import { type CompatVerdict, expectedVersions, sameVersion, type VersionReader, waitForComeBack } from './compat-verdict.ts';
import { LinkError } from './transport.ts';

export interface CompatPushOptions extends CompatUploadOptions {
  kind: CompatKind;
  /** The release's version: what the device should report afterwards. */
  version: string;
  /** Where the device reports its version; without one the verdict is "unverified". */
  readVersion?: VersionReader;
  verdictTimeoutMs?: number;
  graceMs?: number;
}

export interface CompatPushResult extends CompatVerdict {
  /** What the device reported before the upload, where it reports anything. */
  before?: string;
  sentBytes: number;
}

export async function pushCompat(options: CompatPushOptions): Promise<CompatPushResult> {
  const expected = await expectedVersions(options.version, options.image);
  const before = options.readVersion ? await options.readVersion().catch((error: unknown) => {
    if (error instanceof LinkError) return null; // it may still take the upload; the upload says
    throw error;
  }) : null;
  let sentBytes = 0;
  const upload: CompatUploadOptions = {
    ...options,
    onProgress: (progress) => {
      if (progress.phase === 'sending') sentBytes = progress.sentBytes;
      options.onProgress?.(progress);
    },
  };
  await (options.kind === 'esphome' ? uploadEsphome(upload) : uploadElegantOta(upload));
  sentBytes = options.image.size;
  options.onProgress?.({ phase: 'waiting', sentBytes, size: options.image.size });
  const was = before ? { before: before.version } : {};
  if (!options.readVersion) {
    return { outcome: 'unverified', reason: 'The device took the image and restarts; it reports no version FieldFlash can read, so whether it runs the new image is not known.', sentBytes, ...was };
  }
  const verdict = await waitForComeBack({
    readVersion: options.readVersion,
    expected,
    ...(options.verdictTimeoutMs !== undefined ? { timeoutMs: options.verdictTimeoutMs } : {}),
    ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (verdict.outcome === 'new-version' && before && expected.some((v) => sameVersion(v, before.version))) {
    // It reported that version before too: coming back with it says nothing about this upload.
    return { outcome: 'unverified', version: verdict.version!, reason: `The device reports ${verdict.version}, as it did before the upload, so whether it runs the new image is not known.`, sentBytes, ...was };
  }
  return { ...verdict, sentBytes, ...was };
}

/**
 * The version a device reports in a FieldFlash device document (`GET /fieldflash/v1/device`, readable by any
 * page): a device that runs the FieldFlash agent beside its compatibility endpoints. An agent testing a new image
 * is not settled yet. Null when the device answers without one (ESPHome and ElegantOTA themselves).
 */
export function deviceDocumentVersion(url: string, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis), timeoutMs = 5_000): VersionReader {
  const space = targetAddressSpace(url);
  return async () => {
    let reply: Response;
    try {
      reply = await fetchImpl(new URL('/fieldflash/v1/device', new URL(url).origin).href, {
        cache: 'no-store',
        signal: AbortSignal.timeout(timeoutMs),
        ...(space ? { targetAddressSpace: space } : {}),
      } as RequestInit);
    } catch (error) {
      throw new LinkError(`No answer from ${new URL(url).host} (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
    }
    if (!reply.ok) return null;
    try {
      const document = parseDeviceDocument(await reply.json());
      return { version: document.version, settled: document.lastUpdate?.outcome !== 'pending' };
    } catch {
      return null;
    }
  };
}
