// Steps 2 and 3: choose the release and the options, confirm an erase, flash.
import { useState } from 'preact/hooks';
import type { DeviceIdentity } from '../serial/device-identity.ts';
import { flashController } from './flash-controller.ts';
import { BAUD_RATES, DEFAULT_BAUD, flashState, useWatched, type EraseChoice, type FlashModeOption } from './flash-state.ts';
import { ReleasePicker } from './release-picker.tsx';

const baudLabel = (b: number) => (b >= 1_000_000 ? `${b / 1_000_000} Mbaud (${b})` : String(b));

export function InstallPanel({ identity, simulated }: { identity: DeviceIdentity; simulated: boolean }) {
  const activity = useWatched(flashState.activity);
  const [releaseId, setReleaseId] = useState<string | undefined>(undefined);
  const [erase, setErase] = useState<EraseChoice>('erase-all');
  const [baudRate, setBaudRate] = useState<number>(DEFAULT_BAUD);
  const [flashMode, setFlashMode] = useState<FlashModeOption>('keep');
  const [confirming, setConfirming] = useState(false);
  const flashing = activity === 'flashing';
  const board = simulated ? `simulated ${identity.chipName}` : identity.chipName;

  const start = () => {
    if (!releaseId) return;
    setConfirming(false);
    void flashController.flash(releaseId, { erase, baudRate, flashMode });
  };

  return (
    <section class="flash-step" aria-labelledby="install-heading">
      <h3 id="install-heading">Install a release</h3>
      <ReleasePicker chipFamily={identity.chipFamily} selected={releaseId} onSelect={setReleaseId} />
      <fieldset class="flash-options" disabled={flashing}>
        <legend>Options</legend>
        <label>
          <input type="radio" name="erase" checked={erase === 'erase-all'} onChange={() => setErase('erase-all')} /> Erase everything, then install
          (first install)
        </label>
        <label>
          <input type="radio" name="erase" checked={erase === 'keep-data'} onChange={() => setErase('keep-data')} /> Keep data: write only the
          blocks that changed
        </label>
        <label>
          Flashing baud rate{' '}
          <select value={String(baudRate)} onChange={(e) => setBaudRate(Number(e.currentTarget.value))}>
            {BAUD_RATES.map((b) => (
              <option key={b} value={String(b)}>
                {baudLabel(b)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Flash mode{' '}
          <select value={flashMode} onChange={(e) => setFlashMode(e.currentTarget.value as FlashModeOption)}>
            <option value="keep">Keep as built</option>
            <option value="dio">DIO</option>
          </select>
        </label>
      </fieldset>
      {confirming ? (
        <div role="alertdialog" aria-labelledby="erase-confirm-title" aria-describedby="erase-confirm-text" class="flash-confirm">
          <p id="erase-confirm-title" class="flash-confirm__title">
            Erase everything on the {board}?
          </p>
          <p id="erase-confirm-text">
            All of its flash is erased before installing, including Wi-Fi settings and stored data. Choose "Keep data" instead to keep them.
          </p>
          <button type="button" class="button button--danger" onClick={start}>
            Erase and flash
          </button>{' '}
          <button type="button" class="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button
          type="button"
          class="button button--primary"
          disabled={!releaseId || flashing}
          onClick={() => (erase === 'erase-all' ? setConfirming(true) : start())}
        >
          {flashing ? 'Flashing…' : 'Flash'}
        </button>
      )}
      {!releaseId && !flashing && <p class="flash-hint">Choose a release to flash.</p>}
    </section>
  );
}
