// Adding a device: read its document, log in once with the pairing secret (which proves the secret and that the
// device knows it too), and keep the derived key in place of the secret.
import { authenticate, PairingKeys } from '@fieldflash/protocol';
import { listPairedDevices, savePairedDevice, type PairedDevice } from '../store/index.ts';
import { clientId } from './client-id.ts';
import { deviceOrigin } from './device-address.ts';
import { deviceTransport, readDeviceDocument } from './device-reading.ts';
import { noteAnswer } from './reachability.ts';

export type PairingStep = 'reading' | 'logging-in' | 'saving';

export interface PairingRequest {
  address: string;
  /** The pairing code or password as typed; it goes no further than the key derivation. */
  secret: string;
  /** The board this device was set up as over USB, when added from there. */
  boardMac?: string;
  onStep?(step: PairingStep, url: string): void;
}

export async function pairDevice(request: PairingRequest): Promise<PairedDevice> {
  const url = deviceOrigin(request.address);
  const transport = deviceTransport(url);
  request.onStep?.('reading', url);
  const document = await readDeviceDocument(url, transport);
  request.onStep?.('logging-in', url);
  const keys = new PairingKeys(request.secret);
  const login = await authenticate(transport, keys, clientId());
  request.onStep?.('saving', url);
  const known = (await listPairedDevices()).find((d) => d.id === document.id);
  const now = Date.now();
  const boardMac = request.boardMac ?? known?.boardMac;
  const device: PairedDevice = {
    id: document.id,
    url,
    pairingKey: await keys.kept(login),
    // A device added again (a new secret, a new address) keeps its place in the list.
    pairedAt: known?.pairedAt ?? now,
    document,
    lastSeen: { at: now, transport: 'http' },
    ...(boardMac ? { boardMac } : {}),
    ...(known?.updateInProgress ? { updateInProgress: known.updateInProgress } : {}),
    ...(known?.transport ? { transport: known.transport } : {}),
    ...(known?.throttleKiBps ? { throttleKiBps: known.throttleKiBps } : {}),
  };
  await savePairedDevice(device);
  noteAnswer(device.id, now);
  return device;
}
