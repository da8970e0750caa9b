// A fresh update session at offset 0, for every timed transfer of the LAN benchmark: in Node and in the bench page
// alike (no Node modules here), so the browser rows start exactly as the Node rows do.
import { expectOk, type ImageSource, parseUpdateSession, type Transport, type UpdateSession } from '@fieldflash/protocol';

/** One client id for Node, curl and the page: the device sees one technician, so no run waits out another's hold. */
export const CLIENT_ID = 'bench-lan';

/** A new session for the image, at offset 0 (any earlier partial of it is discarded first). */
export async function freshSession(transport: Transport, image: Pick<ImageSource, 'sha256' | 'size'>): Promise<UpdateSession> {
  await transport.request('DELETE', `/updates/${image.sha256}`);
  const offer = { sha256: image.sha256, size: image.size, version: '1.0.0', chipFamily: 'ESP32', securityVersion: 1 };
  const session = expectOk(await transport.request('POST', '/updates', offer), parseUpdateSession, 'the offer');
  if (session.offset !== 0) throw new Error(`expected a fresh session, the device is at ${session.offset}`);
  return session;
}
