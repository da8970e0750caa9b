// Which link a device's update takes: Automatic (unset) is HTTP; the data channel only when chosen and still offered.
import { describe, expect, test } from 'vitest';
import { transportChoice, updateTransport } from '../../src/devices/transport-choice.ts';
import type { PairedDevice } from '../../src/store/index.ts';

function paired(transport: PairedDevice['transport'], capabilities: string[]): PairedDevice {
  const device = { id: 'ff-240ac4123456', url: 'http://192.168.1.40:8070', document: { capabilities } } as unknown as PairedDevice;
  return transport ? { ...device, transport } : device;
}

describe('transport choice', () => {
  test('unset is Automatic, which sends over HTTP even where the device offers WebRTC', () => {
    expect(transportChoice(paired(undefined, ['http', 'webrtc']))).toBe('auto');
    expect(updateTransport(paired(undefined, ['http', 'webrtc']))).toBe('http');
  });

  test("the technician's choice holds: HTTP, or the data channel while the device offers it", () => {
    expect(updateTransport(paired('http', ['http', 'webrtc']))).toBe('http');
    expect(updateTransport(paired('webrtc', ['http', 'webrtc']))).toBe('webrtc');
    expect(transportChoice(paired('webrtc', ['http']))).toBe('webrtc');
    expect(updateTransport(paired('webrtc', ['http']))).toBe('http');
  });
});
