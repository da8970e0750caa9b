// One paired device: what it says about itself, whether it answers now, its update, and forgetting it.
import { useState } from 'preact/hooks';
import { useSharedState } from '../shared-state.ts';
import { forgetPairedDevice, type PairedDevice } from '../store/index.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { DeviceFacts } from './device-facts.tsx';
import { deviceSummary } from './device-summary.ts';
import { formatTime, hostOf, TRANSPORT_LABEL } from './device-format.ts';
import { selectedDevices, setSelected } from './device-selection.ts';
import { deviceUpdates, isRunning } from './device-update.ts';
import { checkDevice, reachability, type Reachability } from './reachability.ts';
import { readScheduledVerdictNow } from './scheduled-verdict.ts';
import { UpdateSettings } from './update-settings.tsx';
import { UpdateChooser } from './update-chooser.tsx';
import { UpdateStatus } from './update-status.tsx';

export function deviceLabel(device: PairedDevice): string {
  return `${device.document.product} at ${hostOf(device.url)}`;
}

/** `compact`: one of many cards side by side, its facts folded under a one-line summary. */
export function DeviceCard({ device, compact = false }: { device: PairedDevice; compact?: boolean }) {
  const reach = useSharedState(reachability)[device.id];
  const update = useSharedState(deviceUpdates)[device.id];
  const selected = useSharedState(selectedDevices).has(device.id);
  const [forgetting, setForgetting] = useState(false);
  const [forgetFailed, setForgetFailed] = useState<string | undefined>(undefined);
  const label = deviceLabel(device);
  const updating = isRunning(update);
  return (
    <article class="device-card" aria-label={label}>
      <header class="device-card__header">
        <input type="checkbox" class="device-card__select" aria-label={`Select ${label}`} checked={selected} onChange={(e) => setSelected(device.id, (e.currentTarget as HTMLInputElement).checked)} />
        <h3>{label}</h3>
        <p class="device-card__url">
          <code>{device.url}</code>
        </p>
      </header>
      <ReachabilityLine device={device} reach={reach} />
      <p class="device-card__seen" aria-label="Last seen">
        Last seen {formatTime(device.lastSeen.at)} over {TRANSPORT_LABEL[device.lastSeen.transport]}.
      </p>
      <div class="device-card__actions">
        <button type="button" class="button" disabled={reach?.state === 'checking'} aria-label={`Check again: ${label}`} onClick={() => {
            void checkDevice(device);
            readScheduledVerdictNow(device.id);
          }}
        >
          Check again
        </button>
        <button type="button" class="button" disabled={updating} aria-label={`Forget ${label}`} onClick={() => setForgetting(true)}>
          Forget
        </button>
      </div>
      {compact ? (
        <>
          <details class="device-card__more">
            <summary>{deviceSummary(device.document)}</summary>
            <DeviceFacts document={device.document} />
          </details>
          {update && <UpdateStatus deviceId={device.id} update={update} />}
          <UpdateSettings device={device} disabled={updating} />
          <UpdateChooser device={device} disabled={updating} />
        </>
      ) : (
        <div class="device-card__columns">
          <div>
            <DeviceFacts document={device.document} />
          </div>
          <div>
            {update && <UpdateStatus deviceId={device.id} update={update} />}
            <UpdateSettings device={device} disabled={updating} />
            <UpdateChooser device={device} disabled={updating} />
          </div>
        </div>
      )}
      {forgetFailed && (
        <div role="alert" class="alert">
          <p class="alert__title">{forgetFailed}</p>
        </div>
      )}
      {forgetting && (
        <ConfirmDialog
          label={`Confirm forgetting ${label}`}
          confirmText="Forget device"
          keepText="Keep it"
          onConfirm={() => {
            setForgetting(false);
            forgetPairedDevice(device.id).catch((error: unknown) => setForgetFailed(error instanceof Error ? error.message : String(error)));
          }}
          onKeep={() => setForgetting(false)}
        >
          <p>
            Forget <strong>{label}</strong>? This laptop drops its key; updating it again will need its pairing secret. Nothing changes on the
            device.
          </p>
        </ConfirmDialog>
      )}
    </article>
  );
}

function ReachabilityLine({ device, reach }: { device: PairedDevice; reach: Reachability | undefined }) {
  let text: string;
  let hint: string | undefined;
  if (!reach) text = 'Not checked yet.';
  else if (reach.state === 'checking') text = `Checking ${device.url}…`;
  else if (reach.state === 'answered') text = `Answers at ${device.url} (checked ${formatTime(reach.at)}).`;
  else {
    text = `${reach.problem.message} (checked ${formatTime(reach.at)})`;
    hint = reach.problem.hint;
  }
  return (
    <div role="status" aria-label="Reachability" class={`device-reach device-reach--${reach?.state ?? 'unknown'}`}>
      <p>{text}</p>
      {hint && <p class="device-reach__hint">{hint}</p>}
    </div>
  );
}
