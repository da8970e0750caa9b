// One device's update as it runs: phase, bytes, speed and time left; then the device's own verdict.
import type { TreeDeltaSummary } from '@fieldflash/protocol';
import { formatBytes } from '../library/format.ts';
import { dismissUpdate, type DeviceUpdateState, isRunning, type UpdateStage } from './device-update.ts';
import { formatSecondsLeft, formatSpeed, formatTime } from './device-format.ts';
import { withdrawDeviceUpdate } from './update-runs.ts';

const STAGE_TEXT: Record<UpdateStage, string> = {
  waiting: 'Waiting',
  scheduled: 'Applies at',
  preparing: 'Preparing: reading the device and logging in',
  sending: 'Sending',
  verifying: 'Verifying: the device checks the image and commits it',
  'test-boot': 'Test boot: the device restarts into the new image and runs its health check',
  confirmed: 'Confirmed',
  'rolled-back': 'Rolled back',
  failed: 'Stopped',
};

/** A source tree's delta: "sent 4 of 7 files, 3.2 KiB saved" (the files the device already had were not sent). */
function treeText(tree: TreeDeltaSummary, sending: boolean): string {
  const removed = tree.removed > 0 ? `, ${tree.removed} removed` : '';
  return `${sending ? 'Sending' : 'Sent'} ${tree.filesSent} of ${tree.files} ${tree.files === 1 ? 'file' : 'files'}, ${formatBytes(tree.bytesSaved)} saved${removed}`;
}

function rateText(update: DeviceUpdateState): string {
  const speed = update.rate?.bytesPerSecond;
  return speed === undefined ? 'measuring speed' : `${formatSpeed(speed)} · ${formatSecondsLeft(update.rate?.secondsLeft)}`;
}

function stageText(update: DeviceUpdateState): string {
  if (update.stage === 'waiting') return update.queue ? `Waiting (${update.queue.place} of ${update.queue.of})` : 'Waiting';
  if (update.stage === 'scheduled') return update.appliesAt === undefined ? 'Scheduled' : `Applies at ${formatTime(update.appliesAt)}`;
  return STAGE_TEXT[update.stage];
}

export function UpdateStatus({ deviceId, update }: { deviceId: string; update: DeviceUpdateState }) {
  const running = isRunning(update);
  const p = update.progress;
  return (
    <div class="device-update">
      {running && (
        <div role="status" aria-label="Update progress">
          {update.resumed && update.appliesAt === undefined && (
            <p>Picking up the update to {update.release.name} that the page was reloaded or closed during: the device continues from what it has.</p>
          )}
          <p>
            {stageText(update)}: {update.release.name}
            {update.downgrade ? ' (downgrade confirmed)' : ''}
            {update.applyAt !== undefined && update.stage !== 'scheduled' ? `, to apply at ${formatTime(update.applyAt)}` : ''}
          </p>
          {update.stage === 'waiting' && (
            <>
              <p>It starts when an update ahead of it ends, under the limit of updates at once.</p>
              <button type="button" class="button" onClick={() => withdrawDeviceUpdate(deviceId)}>
                Take out of the queue
              </button>
            </>
          )}
          {update.stage === 'scheduled' && (
            <p>
              Sent and committed{p?.slot ? ` into slot ${p.slot}` : ''}; the device restarts into it then, runs its health check and reports its verdict. Check
              again reads it at once.
            </p>
          )}
          {p?.tree && <p aria-label="Source-tree delta">{treeText(p.tree, update.stage === 'sending')}.</p>}
          {p && p.size > 0 && update.stage !== 'scheduled' && (
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
              Confirmed: {update.release.name} {update.verdict.slot === 'tree' ? 'as its source tree' : `in slot ${update.verdict.slot}`}.
            </p>
          )}
          {update.stage === 'rolled-back' && update.verdict && (
            <p class="device-update__verdict">Rolled back: {update.verdict.reason ?? 'the device gave no reason'}</p>
          )}
          {p?.tree && <p aria-label="Source-tree delta">{treeText(p.tree, false)}.</p>}
          {update.appliesAt !== undefined && update.verdict && (
            <p>Sent earlier; the device applied it at the restart it had scheduled.</p>
          )}
          {update.resumed && update.appliesAt === undefined && (
            <p>
              Picked up again after the page was reloaded or closed;{' '}
              {update.readBack ? 'the device had finished the update meanwhile, and nothing was sent again.' : 'the device continued from what it had.'}
            </p>
          )}
          {update.stage === 'rolled-back' && update.verdict && (
            <p>
              The device runs its previous {update.verdict.slot === 'tree' ? 'source tree' : 'image'} again; {update.release.name} was kept off it.
            </p>
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
