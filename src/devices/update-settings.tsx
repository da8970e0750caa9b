// How a device's updates are sent: Automatic (HTTP; transport-choice.ts says why), HTTP, or a WebRTC data channel
// where the device offers one (docs/protocol.md §8); and an optional speed limit for a weak shared Wi-Fi.
import { useEffect, useState } from 'preact/hooks';
import { changeDeviceSettings, type DeviceSettings, type PairedDevice } from '../store/index.ts';
import { type TransportChoice, transportChoice } from './transport-choice.ts';

export function UpdateSettings({ device, disabled }: { device: PairedDevice; disabled: boolean }) {
  const [failed, setFailed] = useState<string | undefined>(undefined);
  const [limit, setLimit] = useState(device.throttleKiBps ? String(device.throttleKiBps) : '');
  useEffect(() => setLimit(device.throttleKiBps ? String(device.throttleKiBps) : ''), [device.throttleKiBps]);
  const webrtc = device.document.capabilities.includes('webrtc');
  const keep = (change: { [K in keyof DeviceSettings]?: DeviceSettings[K] | undefined }) => {
    setFailed(undefined);
    changeDeviceSettings(device.id, change).catch((error: unknown) => setFailed(error instanceof Error ? error.message : String(error)));
  };
  const keepLimit = () => {
    const value = Number(limit);
    if (limit.trim() === '') keep({ throttleKiBps: undefined });
    else if (Number.isInteger(value) && value > 0) keep({ throttleKiBps: value });
    else setFailed(`"${limit}" is not a speed: enter a whole number of KiB/s, or leave it empty for no limit.`);
  };
  return (
    <div class="device-settings">
      <span class="device-settings__pair">
        <label for={`transport-${device.id}`}>Send updates over</label>
        <select
          id={`transport-${device.id}`}
          value={transportChoice(device)}
          disabled={disabled}
          onChange={(e) => {
            const choice = (e.currentTarget as HTMLSelectElement).value as TransportChoice;
            keep({ transport: choice === 'auto' ? undefined : choice });
          }}
        >
          <option value="auto">Automatic (HTTP)</option>
          <option value="http">HTTP</option>
          <option value="webrtc" disabled={!webrtc}>
            {webrtc ? 'WebRTC data channel' : 'WebRTC (not offered)'}
          </option>
        </select>
      </span>
      <span class="device-settings__pair">
        <label for={`throttle-${device.id}`}>Speed limit (KiB/s)</label>
        <input
          id={`throttle-${device.id}`}
          type="number"
          min={1}
          step={1}
          inputMode="numeric"
          placeholder="none"
          value={limit}
          disabled={disabled}
          onInput={(e) => setLimit((e.currentTarget as HTMLInputElement).value)}
          onChange={keepLimit}
        />
      </span>
      {failed && (
        <p role="alert" class="device-settings__problem">
          {failed}
        </p>
      )}
    </div>
  );
}
