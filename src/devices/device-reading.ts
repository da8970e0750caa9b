// Reading a device's own document (docs/protocol.md §2, no login needed), and telling "nothing answers" apart from
// "something answers that is not a FieldFlash device".
import { type DeviceDocument, DeviceRefusal, expectOk, HttpTransport, LinkError, parseDeviceDocument, targetAddressSpace } from '@fieldflash/protocol';
import { clientId } from './client-id.ts';
import { NotFieldFlash } from './device-problems.ts';

/** A device on a LAN answers in milliseconds; a few seconds covers a busy one without leaving anyone waiting long. */
export const CHECK_TIMEOUT_MS = 5_000;

export function deviceTransport(url: string, timeoutMs = CHECK_TIMEOUT_MS): HttpTransport {
  return new HttpTransport({ url, clientId: clientId(), timeoutMs });
}

export async function readDeviceDocument(url: string, transport = deviceTransport(url)): Promise<DeviceDocument> {
  let reply;
  try {
    reply = await transport.request('GET', '/device');
  } catch (error) {
    if (error instanceof LinkError && (await answersAtAll(url))) {
      throw new NotFieldFlash(url, 'it does not give its device document to this page (no FieldFlash reply, or no CORS headers)');
    }
    throw error;
  }
  if (reply.status === 404) throw new NotFieldFlash(url, 'it has no FieldFlash device document (HTTP 404 for /fieldflash/v1/device)');
  try {
    return expectOk(reply, parseDeviceDocument, 'the device document request');
  } catch (error) {
    if (error instanceof DeviceRefusal && error.code === 'bad-reply') throw new NotFieldFlash(url, error.message);
    throw error;
  }
}

/**
 * Whether anything answers HTTP at the address. A reply the page may not read (no CORS) still resolves an opaque
 * `no-cors` fetch, while a closed port or a host that is not there rejects it.
 */
export async function answersAtAll(url: string): Promise<boolean> {
  const space = targetAddressSpace(url);
  try {
    await fetch(url, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(CHECK_TIMEOUT_MS), ...(space ? { targetAddressSpace: space } : {}) } as RequestInit);
    return true;
  } catch {
    return false;
  }
}
