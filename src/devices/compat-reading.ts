// Talking to a device in compatibility mode from the page: which sender carries its upload, where its version is
// read, and what a failure means in a technician's words. ESPHome and ElegantOTA report no version over HTTP that
// FieldFlash reads; a device that runs the FieldFlash agent beside such endpoints reports one in its device document.
import {
  COMPAT_NAMES, CompatRefusal, type CompatKind, type CompatSend, deviceDocumentVersion, fetchSend, LinkError, type VersionReader, xhrSend,
} from '@fieldflash/protocol';
import { InstallRefused } from '../trust/install-check.ts';
import type { DeviceProblem } from './device-problems.ts';
import { answersAtAll, CHECK_TIMEOUT_MS } from './device-reading.ts';

/**
 * XMLHttpRequest reports the bytes as they leave, so it is the sender, except from an https page to an http device:
 * only fetch can declare the device's address space, which Chrome needs to let such a request past mixed-content
 * blocking. fetch reports the upload only once the device has answered.
 */
export function compatSend(url: string): CompatSend {
  return location.protocol === 'https:' && new URL(url).protocol === 'http:' ? fetchSend() : xhrSend();
}

/** The version the device reports; null when it answers but reports none; LinkError when nothing answers. */
export function compatVersionReader(url: string): VersionReader {
  const read = deviceDocumentVersion(url, undefined, CHECK_TIMEOUT_MS);
  return async () => {
    try {
      return await read();
    } catch (error) {
      // A reply the page may not read (no CORS headers, as ElegantOTA sends) still says the device is there.
      if (error instanceof LinkError && (await answersAtAll(url))) return null;
      throw error;
    }
  };
}

const PUSH_FROM_LAPTOP = (url: string, kind: CompatKind) => `or push from a laptop on the same network: npm run push -- ${url} release.zip --compat ${kind}`;

/** Why a push (or a check) failed, what to do next. */
export async function describeCompatProblem(error: unknown, url: string, kind: CompatKind): Promise<DeviceProblem> {
  const host = new URL(url).host;
  const name = COMPAT_NAMES[kind];
  if (error instanceof CompatRefusal) {
    switch (error.code) {
      case 'wrong-credentials':
        return {
          kind: 'wrong-secret',
          message: error.message,
          hint: `Check the user name and password of the device's web server (ESPHome: web_server auth; ElegantOTA: setAuth; a FieldFlash agent: admin and its pairing secret) and push again.`,
        };
      case 'rate-limited':
        return { kind: 'wrong-secret', message: error.message, hint: `Wait${error.retryAfter !== undefined ? ` ${error.retryAfter} s` : ' a minute'}, then push again with the right password.` };
      case 'origin-refused':
        return { kind: 'refused', message: error.message, hint: `The device takes uploads only from web apps it was told to admit; ${PUSH_FROM_LAPTOP(url, kind)}.` };
      case 'no-endpoint':
        return { kind: 'refused', message: error.message, hint: `Check that the device runs ${name} with its web update enabled, and that this is its address.` };
      default:
        return { kind: 'refused', message: error.message, hint: 'Nothing was installed. Check that the release is built for this device, then push again.' };
    }
  }
  if (error instanceof LinkError) {
    if (await answersAtAll(url)) {
      return {
        kind: 'not-fieldflash',
        message: `The device at ${host} answers, but not to this page: its web server lets no other web app send it updates (no CORS headers).`,
        hint: `Nothing was installed. ESPHome devices with a password, and ElegantOTA devices, take uploads only from their own pages; ${PUSH_FROM_LAPTOP(url, kind)}.`,
      };
    }
    return { kind: 'no-answer', message: `No answer from ${url}.`, hint: 'Check that the device is powered and on the same network as this laptop, and that the address is right; then try again.' };
  }
  if (error instanceof InstallRefused) return { kind: 'failed', message: error.message, hint: error.hint };
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'failed', message: `Pushing to ${host} failed: ${detail}`, hint: 'Try again; if it keeps failing, reload FieldFlash.' };
}
