// The releases in the library for one device: those that fit, newest first, each with its update button; the
// others with the reason they do not fit. A downgrade asks first.
import { useState } from 'preact/hooks';
import { useLibrary } from '../library/use-library.ts';
import type { PairedDevice } from '../store/index.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { runDeviceUpdate } from './device-update.ts';
import { type ReleaseFit, releaseFits } from './release-fit.ts';

type Fitting = Extract<ReleaseFit, { fits: true }>;

export function UpdateChooser({ device, disabled }: { device: PairedDevice; disabled: boolean }) {
  const library = useLibrary();
  const [asking, setAsking] = useState<Fitting | undefined>(undefined);
  if (library.state !== 'ready') return <p>{library.state === 'loading' ? 'Reading the library…' : `The library could not be read: ${library.message}`}</p>;
  const fits = releaseFits(library.releases, device.document);
  const start = (fit: Fitting) => {
    if (fit.direction === 'downgrade') setAsking(fit);
    else void runDeviceUpdate(device, target(fit), { downgrade: false });
  };
  return (
    <div class="device-releases">
      <h4>Releases in the library</h4>
      {fits.length === 0 && <p>The library holds no releases. Add this device's release in Library first.</p>}
      <ul aria-label="Releases for this device">
        {fits.map((fit) => {
          const name = `${fit.release.product} ${fit.release.version}`;
          return (
            <li key={fit.release.id} class={fit.fits ? 'device-release' : 'device-release device-release--unfit'}>
              <span class="device-release__name">{name}</span>
              {fit.fits ? (
                <button type="button" class="button button--primary" disabled={disabled} aria-label={`${ACTION[fit.direction]} ${name}`} onClick={() => start(fit)}>
                  {ACTION[fit.direction]} {fit.release.version}
                </button>
              ) : (
                <span class="device-release__reason">Does not fit: {fit.reason}</span>
              )}
            </li>
          );
        })}
      </ul>
      {asking && (
        <ConfirmDialog
          label={`Confirm downgrading to ${asking.release.product} ${asking.release.version}`}
          confirmText={`Downgrade to ${asking.release.version}`}
          keepText="Keep the current version"
          onConfirm={() => {
            const fit = asking;
            setAsking(undefined);
            void runDeviceUpdate(device, target(fit), { downgrade: true });
          }}
          onKeep={() => setAsking(undefined)}
        >
          <p>
            The device runs {device.document.version}; {asking.release.version} is older. Send it anyway? A downgrade may bring back bugs that
            newer versions fixed.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

const target = (fit: Fitting) => ({ id: fit.release.id, name: `${fit.release.product} ${fit.release.version}` });

const ACTION = { upgrade: 'Update to', reinstall: 'Reinstall', downgrade: 'Downgrade to' } as const;
