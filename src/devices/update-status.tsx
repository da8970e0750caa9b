// One device's update as it runs: phase, bytes, speed and time left; then the device's own verdict.
import { formatBytes } from '../library/format.ts';
import { dismissUpdate, type DeviceUpdateState, isRunning, type UpdateStage } from './device-update.ts';
import { formatSecondsLeft, formatSpeed } from './device-format.ts';

const STAGE_TEXT: Record<UpdateStage, string> = {
  preparing: 'Preparing: reading the device and logging in',
  sending: 'Sending',
  verifying: 'Verifying: the device checks the image and commits it',
  'test-boot': 'Test boot: the device restarts into the new image and runs its health check',
  confirmed: 'Confirmed',
  'rolled-back': 'Rolled back',
  failed: 'Stopped',
};

function rateText(update: DeviceUpdateState): string {
  const speed = update.rate?.bytesPerSecond;
  return speed === undefined ? 'measuring speed' : `${formatSpeed(speed)} · ${formatSecondsLeft(update.rate?.secondsLeft)}`;
}

export function UpdateStatus({ deviceId, update }: { deviceId: string; update: DeviceUpdateState }) {
  const running = isRunning(update);
  const p = update.progress;
  return (
    <div class="device-update">
      {running && (
        <div role="status" aria-label="Update progress">
          {update.resumed && (
            <p>Picking up the update to {update.release.name} that the page was reloaded or closed during: the device continues from what it has.</p>
          )}
          <p>
            {STAGE_TEXT[update.stage]}: {update.release.name}
            {update.downgrade ? ' (downgrade confirmed)' : ''}
          </p>
          {p && p.size > 0 && (
            <>
              <progress aria-label="Bytes the device has" max={p.size} value={p.offset} />
              <p>
                {formatBytes(p.offset)} of {formatBytes(p.size)}
                {update.stage === 'sending' ? ` · ${rateText(update)}` : ''}
                {p.slot ? ` · into slot ${p.slot}` : ''}
              </p>
            </>
          )}
          {update.retrying && <p class="device-update__retry">Trying again: {update.retrying}</p>}
        </div>
      )}
      {!running && (
        <div role="status" aria-label="Update result" class={`device-update__result device-update__result--${update.stage}`}>
          {update.stage === 'confirmed' && update.verdict && (
            <p class="device-update__verdict">
              Confirmed: {update.release.name} in slot {update.verdict.slot}.
            </p>
          )}
          {update.stage === 'rolled-back' && update.verdict && (
            <p class="device-update__verdict">Rolled back: {update.verdict.reason ?? 'the device gave no reason'}</p>
          )}
          {update.resumed && (
            <p>
              Picked up again after the page was reloaded or closed;{' '}
              {update.readBack ? 'the device had finished the update meanwhile, and nothing was sent again.' : 'the device continued from what it had.'}
            </p>
          )}
          {update.stage === 'rolled-back' && update.verdict && (
            <p>The device runs its previous image again; {update.release.name} was kept off it.</p>
          )}
          {update.stage === 'failed' && update.problem && (
            <>
              <p class="device-update__verdict">Update to {update.release.name} stopped: {update.problem.message}</p>
              <p>What to do: {update.problem.hint}</p>
            </>
          )}
          <button type="button" class="button" onClick={() => dismissUpdate(deviceId)}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
