// ElegantOTA v3: GET /ota/start?mode=fr&hash=<MD5> announces a firmware upload and the MD5 the device checks at
// the end, then POST /ota/upload sends it as multipart/form-data. 200 "OK", or 400 with the reason. HTTP Basic when
// the device has credentials set. No resume, no slot information, no rollback report.

import SparkMD5 from 'spark-md5';
import { multipartBody } from './compat-http.ts';
import { brief, CompatRefusal, commonRefusal, type CompatUploadOptions, authorizationHeaders, reportSending } from './compat-upload.ts';

const HASH_SLICE = 1024 * 1024;

/** Lower-case hex MD5 of the image (WebCrypto has no MD5), read a slice at a time so no second copy is made. */
export async function md5OfBlob(image: Blob, onHashed?: (bytes: number) => void): Promise<string> {
  const md5 = new SparkMD5.ArrayBuffer();
  for (let offset = 0; offset < image.size; offset += HASH_SLICE) {
    md5.append(await image.slice(offset, offset + HASH_SLICE).arrayBuffer());
    onHashed?.(Math.min(image.size, offset + HASH_SLICE));
  }
  return md5.end();
}

/** Announces and sends the image; resolves once the device answered "OK", and throws CompatRefusal otherwise. */
export async function uploadElegantOta(options: CompatUploadOptions): Promise<void> {
  const origin = new URL(options.url).origin;
  const host = new URL(options.url).host;
  const size = options.image.size;
  const hash = await md5OfBlob(options.image, (bytes) => options.onProgress?.({ phase: 'hashing', sentBytes: bytes, size }));
  options.onProgress?.({ phase: 'starting', sentBytes: 0, size });
  const signal = options.signal ? { signal: options.signal } : {};
  const start = await options.send({ method: 'GET', url: `${origin}/ota/start?mode=fr&hash=${hash}`, headers: authorizationHeaders(options), ...signal });
  const startRefusal = commonRefusal(start, options.url, 'ElegantOTA updates (GET /ota/start)');
  if (startRefusal) throw startRefusal;
  if (start.status !== 200) {
    throw new CompatRefusal('refused', `The device at ${host} would not start an update: ${brief(start.text) || `HTTP ${start.status}`}.`, start.status);
  }
  const form = multipartBody(options.image, 'file', options.filename ?? 'firmware.bin');
  options.onProgress?.({ phase: 'sending', sentBytes: 0, size });
  const upload = await options.send({
    method: 'POST',
    url: `${origin}/ota/upload`,
    headers: { ...authorizationHeaders(options), 'Content-Type': form.contentType },
    body: form.body,
    onSent: reportSending(options, form.headLength),
    ...signal,
  });
  const uploadRefusal = commonRefusal(upload, options.url, 'ElegantOTA uploads (POST /ota/upload)');
  if (uploadRefusal) throw uploadRefusal;
  if (upload.status !== 200) {
    throw new CompatRefusal('refused', `The device at ${host} did not install the image: ${brief(upload.text) || `HTTP ${upload.status}`}.`, upload.status);
  }
}
