// How updates reach the device: HTTP, or a WebRTC data channel where the device offers one (docs/protocol.md §8).
import { useState } from 'preact/hooks';
import { chooseDeviceTransport, type LanTransport, type PairedDevice } from '../store/index.ts';

export function TransportChoice({ device, disabled }: { device: PairedDevice; disabled: boolean }) {
  const [failed, setFailed] = useState<string | undefined>(undefined);
  const webrtc = device.document.capabilities.includes('webrtc');
  const id = `transport-${device.id}`;
  return (
    <div class="device-transport">
      <label for={id}>Send updates over</label>
      <select
        id={id}
        value={device.transport ?? 'http'}
        disabled={disabled}
        onChange={(e) => {
          setFailed(undefined);
          chooseDeviceTransport(device.id, (e.currentTarget as HTMLSelectElement).value as LanTransport).catch((error: unknown) =>
            setFailed(error instanceof Error ? error.message : String(error)),
          );
        }}
      >
        <option value="http">HTTP</option>
        <option value="webrtc" disabled={!webrtc}>
          {webrtc ? 'WebRTC data channel' : 'WebRTC data channel (the device does not offer it)'}
        </option>
      </select>
      {failed && <p role="alert">{failed}</p>}
    </div>
  );
}
