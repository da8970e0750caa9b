// Which link an update to a device takes: the technician's choice, or Automatic (the default).
//
// Automatic sends over HTTP, because it needs nothing the check of the device has not just proved works: a TCP
// connection the browser lets the page make. The data channel is signaled over that same HTTP endpoint, so it never
// reaches a device that HTTP cannot (a refused Local Network Access permission or mixed content stop both alike), and
// it also needs UDP between laptop and device, which guest and office Wi-Fi often block: a channel that will not open
// costs a 15 s wait before anything is sent. HTTP is also the quicker of the two in Chromium, sending the image in one
// request (`npm run bench:lan`: 16 MiB to an agent on loopback in about 0.07 s, against 0.5 s in data-channel chunks);
// the data channel, whose every chunk the device checks on arrival, is there to choose per device.
import type { LanTransport, PairedDevice } from '../store/index.ts';

export type TransportChoice = 'auto' | LanTransport;

export function transportChoice(device: PairedDevice): TransportChoice {
  return device.transport ?? 'auto';
}

/** The transport an update takes now: WebRTC only when chosen and the device still offers it. */
export function updateTransport(device: PairedDevice): LanTransport {
  return device.transport === 'webrtc' && device.document.capabilities.includes('webrtc') ? 'webrtc' : 'http';
}
