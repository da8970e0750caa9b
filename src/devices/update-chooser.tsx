// The releases in the library for one device: those that fit, newest first, each with its update button; the
// others with the reason they do not fit. A downgrade asks first. An optional time sends now and applies later.
import { SCHEDULED_REBOOT } from '@fieldflash/protocol';
import { useState } from 'preact/hooks';
import { useLibrary } from '../library/use-library.ts';
import type { PairedDevice } from '../store/index.ts';
import { parseApplyAt } from './apply-at.ts';
import { ApplyAtField } from './apply-at-field.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { type ReleaseFit, releaseFits } from './release-fit.ts';
import { requestDeviceUpdate } from './update-runs.ts';
import { TrustBlock, useInstallGate } from '../trust/trust-block.tsx';

type Fitting = Extract<ReleaseFit, { fits: true }>;

export function UpdateChooser({ device, disabled }: { device: PairedDevice; disabled: boolean }) {
  const library = useLibrary();
  const [asking, setAsking] = useState<{ fit: Fitting; applyAt: number | undefined } | undefined>(undefined);
  const [applyAt, setApplyAt] = useState('');
  const [applyAtProblem, setApplyAtProblem] = useState<string | undefined>(undefined);
  if (library.state !== 'ready') return <p>{library.state === 'loading' ? 'Reading the library…' : `The library could not be read: ${library.message}`}</p>;
  const fits = releaseFits(library.releases, device.document);
  const schedulable = device.document.capabilities.includes(SCHEDULED_REBOOT);
  const start = (fit: Fitting) => {
    const when = schedulable ? parseApplyAt(applyAt) : { ok: true as const, at: undefined };
    if (!when.ok) return setApplyAtProblem(when.message);
    setApplyAtProblem(undefined);
    if (fit.direction === 'downgrade') setAsking({ fit, applyAt: when.at });
    else requestDeviceUpdate(device, target(fit), { downgrade: false, ...(when.at !== undefined ? { applyAt: when.at } : {}) });
  };
  return (
    <div class="device-releases">
      <h4>Releases in the library</h4>
      <ApplyAtField
        id={`apply-at-${device.id}`}
        value={applyAt}
        onInput={(value) => {
          setApplyAt(value);
          setApplyAtProblem(undefined);
        }}
        disabled={disabled}
        unsupported={schedulable ? undefined : `This device (agent ${device.document.agentVersion}) cannot schedule its restart: updates apply at once.`}
      />
      {applyAtProblem && (
        <p role="alert" class="device-settings__problem">
          {applyAtProblem}
        </p>
      )}
      {fits.length === 0 && <p>The library holds no releases. Add this device's release in Library first.</p>}
      <ul aria-label="Releases for this device">
        {fits.map((fit) => (
          <ReleaseChoice key={fit.release.id} fit={fit} disabled={disabled} onStart={start} />
        ))}
      </ul>
      {asking && (
        <ConfirmDialog
          label={`Confirm downgrading to ${asking.fit.release.product} ${asking.fit.release.version}`}
          confirmText={`Downgrade to ${asking.fit.release.version}`}
          keepText="Keep the current version"
          onConfirm={() => {
            const { fit, applyAt: at } = asking;
            setAsking(undefined);
            requestDeviceUpdate(device, target(fit), { downgrade: true, ...(at !== undefined ? { applyAt: at } : {}) });
          }}
          onKeep={() => setAsking(undefined)}
        >
          <p>
            The device runs {device.document.version}; {asking.fit.release.version} is older. Send it anyway? A downgrade may bring back bugs that
            newer versions fixed.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** One release for the device: its update button, held back while the release is not trusted, with the reason. */
function ReleaseChoice({ fit, disabled, onStart }: { fit: ReleaseFit; disabled: boolean; onStart: (fit: Fitting) => void }) {
  const name = `${fit.release.product} ${fit.release.version}`;
  const gate = useInstallGate(fit.fits ? fit.release : undefined);
  return (
    <li class={fit.fits ? 'device-release' : 'device-release device-release--unfit'}>
      <span class="device-release__name">{name}</span>
      {fit.fits ? (
        <button type="button" class="button button--primary" disabled={disabled || gate.state !== 'open'} aria-label={`${ACTION[fit.direction]} ${name}`} onClick={() => onStart(fit)}>
          {ACTION[fit.direction]} {fit.release.version}
        </button>
      ) : (
        <span class="device-release__reason">Does not fit: {fit.reason}</span>
      )}
      {gate.state === 'blocked' && <TrustBlock release={fit.release} gate={gate} />}
    </li>
  );
}

const target = (fit: Fitting) => ({ id: fit.release.id, name: `${fit.release.product} ${fit.release.version}` });

const ACTION = { upgrade: 'Update to', reinstall: 'Reinstall', downgrade: 'Downgrade to' } as const;
