// ESPHome's web_server OTA: POST /update, multipart/form-data with one file part (its field name is not checked),
// HTTP Basic when the device has web_server auth. The reply is 200 either way: "Update Successful!", after which
// the device reboots, or "Update Failed!" with no reason. No resume, no hash, no rollback report.

import { multipartBody } from './compat-http.ts';
import { brief, CompatRefusal, commonRefusal, type CompatUploadOptions, authorizationHeaders, reportSending } from './compat-upload.ts';

/** Sends the image; resolves once the device said "Update Successful!", and throws CompatRefusal otherwise. */
export async function uploadEsphome(options: CompatUploadOptions): Promise<void> {
  const url = new URL('/update', new URL(options.url).origin).href;
  const form = multipartBody(options.image, 'update', options.filename ?? 'firmware.bin');
  options.onProgress?.({ phase: 'sending', sentBytes: 0, size: options.image.size });
  const reply = await options.send({
    method: 'POST',
    url,
    headers: { ...authorizationHeaders(options), 'Content-Type': form.contentType },
    body: form.body,
    onSent: reportSending(options, form.headLength),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const common = commonRefusal(reply, options.url, 'ESPHome uploads (POST /update)');
  if (common) throw common;
  const text = brief(reply.text);
  if (reply.status === 200 && text === 'Update Successful!') return;
  const host = new URL(options.url).host;
  if (reply.status === 200 && text === 'Update Failed!') {
    throw new CompatRefusal(
      'refused',
      `The device at ${host} received the image but did not install it ("Update Failed!"). ESPHome does not say why: most often the image is for another chip or board, is not an app image, or is larger than the device's update slot.`,
      200,
    );
  }
  throw new CompatRefusal('refused', `The device at ${host} answered POST /update with HTTP ${reply.status}${text ? `: ${text}` : ''}; ESPHome answers "Update Successful!".`, reply.status);
}
