// Devices already in the field, updated in compatibility mode (ESPHome, ElegantOTA): their cards, and the form that
// adds one by its system, address and user name. Nothing secret is asked for here: the password is asked at each push.
import { COMPAT_KINDS, COMPAT_NAMES, type CompatKind, LinkError } from '@fieldflash/protocol';
import { useState } from 'preact/hooks';
import { compatDeviceId, listCompatDevices, recordCompatAnswer, saveCompatDevice, type CompatDevice } from '../store/index.ts';
import { checkCompatDevice, useCompatDevices } from './compat-check.ts';
import { compatLabel, CompatDeviceCard } from './compat-device-card.tsx';
import { compatVersionReader } from './compat-reading.ts';
import { AddressProblem, deviceOrigin } from './device-address.ts';

export function CompatDevicesSection() {
  const compat = useCompatDevices();
  return (
    <section class="devices__list devices__list--compat" aria-labelledby="compat-devices-heading">
      <h2 id="compat-devices-heading">Compatibility mode: ESPHome and ElegantOTA</h2>
      {compat.state === 'failed' && (
        <div role="alert" class="alert">
          <p class="alert__title">The ESPHome and ElegantOTA devices could not be read.</p>
          <p>{compat.message}</p>
        </div>
      )}
      {compat.state === 'ready' && compat.devices.length === 0 && (
        <p>None yet. A device already in the field running ESPHome or ElegantOTA can be updated from here too, without the FieldFlash agent.</p>
      )}
      {compat.state === 'ready' && compat.devices.map((device) => <CompatDeviceCard key={device.id} device={device} />)}
      <AddCompatDevice />
    </section>
  );
}

type Status = { state: 'idle' } | { state: 'working'; url: string } | { state: 'added'; label: string; version?: string } | { state: 'failed'; message: string; hint: string };

// Neither ESPHome nor ElegantOTA has a default user; admin is what most configurations (and the FieldFlash agent) use.
const DEFAULT_USER = 'admin';

function AddCompatDevice() {
  const [kind, setKind] = useState<CompatKind>('esphome');
  const [address, setAddress] = useState('');
  const [user, setUser] = useState(DEFAULT_USER);
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  const busy = status.state === 'working';

  const add = async () => {
    let url: string;
    try {
      url = deviceOrigin(address);
    } catch (error) {
      if (!(error instanceof AddressProblem)) throw error;
      setStatus({ state: 'failed', message: error.message, hint: 'Enter the address of the device, e.g. http://192.168.1.41.' });
      return;
    }
    setStatus({ state: 'working', url });
    try {
      const reported = await compatVersionReader(url)();
      const id = compatDeviceId(kind, url);
      const known = (await listCompatDevices()).find((d) => d.id === id);
      const device: CompatDevice = { id, kind, url, user: user.trim(), addedAt: known?.addedAt ?? Date.now() };
      await saveCompatDevice(device);
      await recordCompatAnswer(id, reported?.version);
      void checkCompatDevice(device);
      setAddress('');
      setStatus({ state: 'added', label: compatLabel(device), ...(reported ? { version: reported.version } : {}) });
    } catch (error) {
      setStatus(
        error instanceof LinkError
          ? { state: 'failed', message: `No answer from ${url}.`, hint: 'Check that the device is powered and on the same network as this laptop, and that the address is right; then try again.' }
          : { state: 'failed', message: error instanceof Error ? error.message : String(error), hint: 'Try again; if it keeps failing, reload FieldFlash.' },
      );
    }
  };

  return (
    <form
      class="devices-form compat-add"
      aria-label="Add an ESPHome or ElegantOTA device"
      onSubmit={(event) => {
        event.preventDefault();
        void add();
      }}
    >
      <h3>Add an ESPHome or ElegantOTA device</h3>
      <label for="compat-kind">It runs</label>
      <select
        id="compat-kind"
        value={kind}
        disabled={busy}
        onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as CompatKind)}
      >
        {COMPAT_KINDS.map((k) => (
          <option key={k} value={k}>
            {COMPAT_NAMES[k]} ({k === 'esphome' ? 'web_server OTA, POST /update' : '/ota/start and /ota/upload'})
          </option>
        ))}
      </select>
      <label for="compat-address">Device address</label>
      <input
        id="compat-address"
        type="text"
        inputMode="url"
        spellcheck={false}
        autoComplete="off"
        placeholder="http://192.168.1.41"
        value={address}
        disabled={busy}
        onInput={(e) => setAddress((e.currentTarget as HTMLInputElement).value)}
      />
      <label for="compat-user">User name</label>
      <input id="compat-user" type="text" spellcheck={false} autoComplete="off" value={user} disabled={busy} onInput={(e) => setUser((e.currentTarget as HTMLInputElement).value)} />
      <p class="devices-form__note">The password is not asked for here: it is asked at each push and never kept. Leave the user name empty for a device without one.</p>
      <button type="submit" class="button button--primary" disabled={busy || address.trim() === ''}>
        Add in compatibility mode
      </button>
      <div role="status" aria-label="Compatibility mode status">
        {status.state === 'working' && <p>Checking that {status.url} answers…</p>}
        {status.state === 'added' && (
          <p>
            Added the {status.label}. {status.version ? `It reports version ${status.version}.` : 'It reports no version FieldFlash can read.'}
          </p>
        )}
      </div>
      {status.state === 'failed' && (
        <div role="alert" class="alert">
          <p class="alert__title">Could not add the device</p>
          <p>{status.message}</p>
          <p class="alert__hint">What to do: {status.hint}</p>
        </div>
      )}
    </form>
  );
}
