// Steps 2 and 3: the release (chosen already when one fits best) and the options; confirm an erase, or refuse
// one that would leave the chip unable to start; flash.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from '../routes.ts';
import type { DeviceIdentity } from '../serial/device-identity.ts';
import { flashController } from './flash-controller.ts';
import { BAUD_RATES, DEFAULT_BAUD, flashState, useWatched, type EraseChoice, type FlashModeOption } from './flash-state.ts';
import { layoutContents, missingForFirstInstall } from './layout-contents.ts';
import { preferredRelease, releaseOptions } from './release-choice.ts';
import { ReleasePicker, useLibraryReleases } from './release-picker.tsx';
import { RequestedReleaseNote } from './requested-release.tsx';
import { TrustBlock, useInstallGate } from '../trust/trust-block.tsx';

type Asking = 'none' | 'erase' | 'cannot-boot';

export function InstallPanel({ identity, simulated }: { identity: DeviceIdentity; simulated: boolean }) {
  const activity = useWatched(flashState.activity);
  const library = useLibraryReleases();
  // The release chosen in the library (its row's Flash), until the technician picks another one here.
  const requestedId = useRoute().release;
  const [chosenId, setChosenId] = useState<string | undefined>(undefined);
  useEffect(() => setChosenId(undefined), [requestedId]);
  const [erase, setErase] = useState<EraseChoice>('erase-all');
  const [baudRate, setBaudRate] = useState<number>(DEFAULT_BAUD);
  const [flashMode, setFlashMode] = useState<FlashModeOption>('keep');
  const [asking, setAsking] = useState<Asking>('none');
  const dialog = useRef<HTMLDivElement>(null);
  // The question floats over the view; its first button takes the focus, Escape cancels.
  useEffect(() => {
    if (asking === 'none') return;
    dialog.current?.querySelector('button')?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setAsking('none');
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [asking]);
  const flashing = activity === 'flashing';
  const board = simulated ? `simulated ${identity.chipName}` : identity.chipName;

  const options = library.releases ? releaseOptions(library.releases, identity.chipFamily) : [];
  const fits = options.filter((o) => o.build);
  // What the technician picked here, or in the library, while it still fits; otherwise the only release that fits,
  // or the newest.
  const requested = chosenId === undefined ? options.find((o) => o.release.id === requestedId) : undefined;
  const selected =
    fits.find((o) => o.release.id === chosenId) ??
    (requested?.build ? requested : undefined) ??
    fits.find((o) => o.release.id === preferredRelease(options)?.id);
  const releaseId = selected?.release.id;
  const gate = useInstallGate(selected?.release);
  const missing = selected?.build ? missingForFirstInstall(layoutContents(selected.release.files, selected.build)) : undefined;

  const start = (choice: EraseChoice = erase) => {
    if (!releaseId) return;
    setAsking('none');
    void flashController.flash(releaseId, { erase: choice, baudRate, flashMode });
  };
  const press = () => {
    if (erase === 'keep-data') return start();
    setAsking(missing ? 'cannot-boot' : 'erase');
  };
  const writeAppOnly = () => {
    setErase('keep-data');
    start('keep-data');
  };

  return (
    <section class="flash-step" aria-labelledby="install-heading">
      <h3 id="install-heading">Install a release</h3>
      {chosenId === undefined && requestedId && library.releases && (
        <RequestedReleaseNote requested={requested} board={board} instead={selected?.release} />
      )}
      <ReleasePicker library={library} chipFamily={identity.chipFamily} selected={releaseId} onSelect={setChosenId} />
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
        <div class="flash-row">
          <label>
            Flashing baud rate{' '}
            <select value={String(baudRate)} onChange={(e) => setBaudRate(Number(e.currentTarget.value))}>
              {BAUD_RATES.map((b) => (
                <option key={b} value={String(b)}>
                  {b}
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
        </div>
      </fieldset>
      {asking === 'erase' && (
        <div role="alertdialog" aria-modal="true" aria-labelledby="erase-confirm-title" aria-describedby="erase-confirm-text" class="flash-confirm" ref={dialog}>
          <p id="erase-confirm-title" class="flash-confirm__title">
            Erase everything on the {board}?
          </p>
          <p id="erase-confirm-text">
            All of its flash is erased before installing, including Wi-Fi settings and stored data. Choose "Keep data" instead to keep them.
          </p>
          <button type="button" class="button button--danger" onClick={() => start()}>
            Erase and flash
          </button>{' '}
          <button type="button" class="button" onClick={() => setAsking('none')}>
            Cancel
          </button>
        </div>
      )}
      {asking === 'cannot-boot' && selected && (
        <div role="alertdialog" aria-modal="true" aria-labelledby="cannot-boot-title" aria-describedby="cannot-boot-text" class="flash-confirm" ref={dialog}>
          <p id="cannot-boot-title" class="flash-confirm__title">
            Erasing everything would leave the {board} unable to start.
          </p>
          <p id="cannot-boot-text">
            {selected.release.product} {selected.release.version} has {missing}, only the app. After an erase, nothing on the chip would load it.
            Nothing has been erased. The safe choice: keep data and write the app only, over the bootloader and partition table already on the
            board.
          </p>
          <button type="button" class="button button--primary" onClick={writeAppOnly}>
            Keep data and write the app only
          </button>{' '}
          <button type="button" class="button" onClick={() => setAsking('none')}>
            Cancel
          </button>
        </div>
      )}
      {gate.state === 'blocked' && selected && <TrustBlock release={selected.release} gate={gate} />}
      {asking === 'none' && (
        <button type="button" class="button button--primary" disabled={!releaseId || flashing || gate.state !== 'open'} onClick={press}>
          {flashing ? 'Flashing…' : 'Flash'}
        </button>
      )}
      {!releaseId && !flashing && <p class="flash-hint">Choose a release to flash.</p>}
    </section>
  );
}
