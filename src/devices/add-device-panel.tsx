// Adding a device: by address and pairing secret, by pasting a pairing link (a label's QR code), or in one click
// from a board set up over USB in the Flash view (its reported URL; the secret is then asked for).
import { parsePairingLink } from '@fieldflash/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getDevice, type DeviceRecord, type PairedDevice } from '../store/index.ts';
import { describeProblem, type DeviceProblem } from './device-problems.ts';
import { hostOf } from './device-format.ts';
import { pairDevice, type PairingStep } from './pairing.ts';
import { ProvisionedBoards } from './provisioned-boards.tsx';

type Status =
  | { state: 'idle' }
  | { state: 'working'; step: PairingStep; url: string }
  | { state: 'added'; device: PairedDevice }
  | { state: 'failed'; address: string; problem: DeviceProblem };

const STEP_TEXT: Record<PairingStep, (url: string) => string> = {
  reading: (url) => `Reading the device at ${url}…`,
  'logging-in': (url) => `Logging in to ${url} with the pairing secret…`,
  saving: () => 'Keeping the device and its key…',
};

export interface AddDevicePanelProps {
  paired: readonly PairedDevice[];
  /** A pairing link that opened the app, to fill in. */
  initialLink?: string | undefined;
  /** The base MAC of a board the Flash view set up over USB, chosen there. */
  initialBoard?: string | undefined;
}

export function AddDevicePanel({ paired, initialLink, initialBoard }: AddDevicePanelProps) {
  const [address, setAddress] = useState('');
  const [secret, setSecret] = useState('');
  const [link, setLink] = useState(initialLink ?? '');
  const [board, setBoard] = useState<DeviceRecord | undefined>(undefined);
  const [status, setStatus] = useState<Status>({ state: 'idle' });
  const secretInput = useRef<HTMLInputElement>(null);
  const busy = status.state === 'working';

  useEffect(() => {
    if (initialLink) setLink(initialLink);
  }, [initialLink]);

  useEffect(() => {
    if (!initialBoard) return;
    let current = true;
    getDevice(initialBoard).then(
      (record) => current && record && chooseBoard(record),
      () => undefined, // the board's record is a shortcut; the form works without it
    );
    return () => {
      current = false;
    };
  }, [initialBoard]);

  const add = async (request: { address: string; secret: string; boardMac?: string }, clear: () => void) => {
    try {
      const device = await pairDevice({ ...request, onStep: (step, url) => setStatus({ state: 'working', step, url }) });
      clear();
      setBoard(undefined);
      setStatus({ state: 'added', device });
    } catch (error) {
      setStatus({ state: 'failed', address: request.address.trim(), problem: describeProblem(error, request.address.trim()) });
    }
  };

  const onAddress = (event: Event) => {
    event.preventDefault();
    void add({ address, secret, ...(board ? { boardMac: board.mac } : {}) }, () => {
      setSecret('');
      setAddress('');
    });
  };

  const onLink = (event: Event) => {
    event.preventDefault();
    const parsed = parsePairingLink(link);
    if (!parsed) {
      setStatus({
        state: 'failed',
        address: 'the pairing link',
        problem: {
          kind: 'failed',
          message: 'That is not a pairing link.',
          hint: 'Paste the whole link the device printed or its label carries: web+fieldflash://pair?device=…&code=… or an app link ending in #pair=…&code=….',
        },
      });
      return;
    }
    void add({ address: parsed.device, secret: parsed.code }, () => setLink(''));
  };

  const chooseBoard = (record: DeviceRecord) => {
    setBoard(record);
    setAddress(record.url);
    setSecret('');
    setStatus({ state: 'idle' });
    secretInput.current?.focus();
  };

  return (
    <section class="devices-add" aria-labelledby="devices-add-heading">
      <h2 id="devices-add-heading">Add a device</h2>
      <div class="devices-add__forms">
        <form class="devices-form" aria-label="Add by address" onSubmit={onAddress}>
          <h3>By address and pairing secret</h3>
          <label for="device-address">Device address</label>
          <input
            id="device-address"
            type="text"
            inputMode="url"
            spellcheck={false}
            autoComplete="off"
            placeholder="http://192.168.1.40:8070"
            value={address}
            disabled={busy}
            onInput={(e) => {
              setAddress((e.currentTarget as HTMLInputElement).value);
              setBoard(undefined);
            }}
          />
          <label for="pairing-secret">Pairing secret</label>
          <input
            ref={secretInput}
            id="pairing-secret"
            type="password"
            spellcheck={false}
            autoComplete="off"
            placeholder="7KQ4-M2XD-9PWA-H3TN"
            value={secret}
            disabled={busy}
            onInput={(e) => setSecret((e.currentTarget as HTMLInputElement).value)}
          />
          {board && (
            <p class="devices-form__note">
              Set up over USB as "{board.deviceName}" ({board.chipName}, MAC {board.mac}). Enter its pairing secret: the code it printed at its
              first start, or the one on its label.
            </p>
          )}
          <button type="submit" class="button button--primary" disabled={busy || address.trim() === '' || secret === ''}>
            Add device
          </button>
        </form>
        <form class="devices-form" aria-label="Add by pairing link" onSubmit={onLink}>
          <h3>By pairing link</h3>
          <label for="pairing-link">Pairing link</label>
          <input
            id="pairing-link"
            type="text"
            spellcheck={false}
            autoComplete="off"
            placeholder="web+fieldflash://pair?device=…&code=…"
            value={link}
            disabled={busy}
            onInput={(e) => setLink((e.currentTarget as HTMLInputElement).value)}
          />
          <p class="devices-form__note">The link a device prints at its first start, or its label's QR code carries.</p>
          <button type="submit" class="button button--primary" disabled={busy || link.trim() === ''}>
            Add from link
          </button>
        </form>
      </div>
      <ProvisionedBoards paired={paired} onChoose={chooseBoard} disabled={busy} />
      <div role="status" aria-label="Adding a device" class="devices-add__status">
        {status.state === 'working' && <p>{STEP_TEXT[status.step](status.url)}</p>}
        {status.state === 'added' && (
          <p>
            Added {status.device.document.product} at {hostOf(status.device.url)}. Its key is kept on this laptop; the secret is not.
          </p>
        )}
      </div>
      {status.state === 'failed' && (
        <div role="alert" class="alert">
          <p class="alert__title">Could not add the device at {status.address}</p>
          <p>{status.problem.message}</p>
          <p class="alert__hint">What to do: {status.problem.hint}</p>
        </div>
      )}
    </section>
  );
}
