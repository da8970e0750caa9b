// Step 1: connect a board over USB, or the simulated ESP32; then show what the board says about itself.
import { useState } from 'preact/hooks';
import { formatFlashSize } from '../serial/device-identity.ts';
import { POLYFILL_LIMITS, serialAccess, NO_SERIAL_ACCESS } from '../serial/port-chooser.ts';
import { flashController } from './flash-controller.ts';
import { flashState, SIMULATED_CHIPS, SIMULATED_FLASH_SIZES, useWatched, type SimulatedChip } from './flash-state.ts';

export function ConnectPanel() {
  const connection = useWatched(flashState.connection);
  const activity = useWatched(flashState.activity);
  const access = serialAccess();
  const [chip, setChip] = useState<SimulatedChip>('esp32');
  const [flashSize, setFlashSize] = useState(SIMULATED_FLASH_SIZES[0]!.bytes);
  const [wireTime, setWireTime] = useState(true);
  const [flashTime, setFlashTime] = useState(true);
  const busy = connection.status === 'connecting';

  if (connection.status === 'connected') {
    const id = connection.identity;
    return (
      <section class="flash-step" aria-labelledby="device-heading">
        <div class="flash-step__head">
          <h3 id="device-heading">{connection.simulated ? `Simulated ${id.chipName} connected` : `${id.chipName} connected`}</h3>
          <button type="button" class="button" onClick={() => void flashController.disconnect()} disabled={activity === 'flashing'}>
            Disconnect
          </button>
        </div>
        {connection.simulated && <p class="flash-simulated-note">Simulated board running in this page — not real hardware.</p>}
        <dl class="flash-facts" aria-label="Connected board">
          <dt>Chip</dt>
          <dd>
            {id.model}, revision {id.revision}
          </dd>
          <dt>Flash size</dt>
          <dd>{formatFlashSize(id.flashSize)}</dd>
          <dt>MAC</dt>
          <dd>
            <code>{id.mac}</code>
          </dd>
          <dt>Crystal</dt>
          <dd>{id.crystalMHz} MHz</dd>
          <dt>Port</dt>
          <dd class="flash-facts__wide">{connection.portLabel}</dd>
          <dt>Features</dt>
          <dd class="flash-facts__wide" title={id.features.join(', ')}>
            {id.features.join(', ')}
          </dd>
        </dl>
      </section>
    );
  }

  return (
    <section class="flash-step" aria-labelledby="connect-heading">
      <h3 id="connect-heading">Connect a board</h3>
      {access === 'none' ? (
        <p>{NO_SERIAL_ACCESS}</p>
      ) : (
        <>
          <p>Plug the board in with a data USB cable, then choose its port.</p>
          <button type="button" class="button button--primary" disabled={busy} onClick={() => void flashController.connectUsb()}>
            Connect USB device
          </button>
          {access === 'webusb-polyfill' && (
            <div class="flash-limits" role="note" aria-label="Limits of USB access in this browser">
              <ul>
                {POLYFILL_LIMITS.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
      <fieldset class="flash-simulated" disabled={busy}>
        <legend>No hardware at hand? Use a simulated ESP32</legend>
        <label>
          Simulated chip{' '}
          <select value={chip} onChange={(e) => setChip(e.currentTarget.value as SimulatedChip)}>
            {SIMULATED_CHIPS.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Simulated flash size{' '}
          <select value={String(flashSize)} onChange={(e) => setFlashSize(Number(e.currentTarget.value))}>
            {SIMULATED_FLASH_SIZES.map((s) => (
              <option key={s.bytes} value={String(s.bytes)}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={wireTime} onChange={(e) => setWireTime(e.currentTarget.checked)} /> Simulate real serial speed
        </label>
        <label>
          <input type="checkbox" checked={flashTime} onChange={(e) => setFlashTime(e.currentTarget.checked)} /> Simulate real flash speed
        </label>
        <button type="button" class="button" onClick={() => void flashController.connectSimulated(chip, flashSize, wireTime, flashTime)}>
          Connect simulated ESP32
        </button>
      </fieldset>
      {busy && <p role="status">Connecting… the board is being reset into its download mode.</p>}
    </section>
  );
}
