// One device in compatibility mode: its system and address, the limits of that mode in plain words, the version it
// reports, a push from the library with the password asked for this push alone, and forgetting it.
import { COMPAT_NAMES, compatBuildName } from '@fieldflash/protocol';
import { useState } from 'preact/hooks';
import { formatBytes } from '../library/format.ts';
import { useLibrary } from '../library/use-library.ts';
import { useSharedState } from '../shared-state.ts';
import { forgetCompatDevice, type CompatDevice } from '../store/index.ts';
import { checkCompatDevice, compatReach, type CompatReach } from './compat-check.ts';
import { compatPushes, type CompatPushState, type CompatStage, type CompatTarget, dismissCompatPush, isPushing, runCompatPush } from './compat-push.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { formatSecondsLeft, formatSpeed, formatTime, hostOf } from './device-format.ts';

export function compatLabel(device: CompatDevice): string {
  return `${COMPAT_NAMES[device.kind]} device at ${hostOf(device.url)}`;
}

export function CompatDeviceCard({ device }: { device: CompatDevice }) {
  const reach = useSharedState(compatReach)[device.id];
  const push = useSharedState(compatPushes)[device.id];
  const [forgetting, setForgetting] = useState(false);
  const label = compatLabel(device);
  const pushing = isPushing(push);
  const name = COMPAT_NAMES[device.kind];
  return (
    <article class="device-card device-card--compat" aria-label={label}>
      <header class="device-card__header">
        <h3>{label}</h3>
        <p class="device-card__url">
          <code>{device.url}</code>
        </p>
      </header>
      <p class="device-card__limits">
        Compatibility mode: updates go up the way {name} takes them{device.user ? `, as user ${device.user}` : ''}. No resume: a broken upload
        starts again from its first byte. No slot information and no rollback report: the verdict is only whether the device comes back reporting
        the new version, where it reports one.
      </p>
      <ReachLine device={device} reach={reach} />
      <div class="device-card__actions">
        <button type="button" class="button" disabled={reach?.state === 'checking'} aria-label={`Check again: ${label}`} onClick={() => void checkCompatDevice(device)}>
          Check again
        </button>
        <button type="button" class="button" disabled={pushing} aria-label={`Forget ${label}`} onClick={() => setForgetting(true)}>
          Forget
        </button>
      </div>
      {push && <PushStatus deviceId={device.id} push={push} />}
      <PushForm device={device} disabled={pushing} />
      {forgetting && (
        <ConfirmDialog
          label={`Confirm forgetting ${label}`}
          confirmText="Forget device"
          keepText="Keep it"
          onConfirm={() => {
            setForgetting(false);
            void forgetCompatDevice(device.id);
          }}
          onKeep={() => setForgetting(false)}
        >
          <p>
            Forget <strong>{label}</strong>? Nothing changes on the device.
          </p>
        </ConfirmDialog>
      )}
    </article>
  );
}

function ReachLine({ device, reach }: { device: CompatDevice; reach: CompatReach | undefined }) {
  let text: string;
  let hint: string | undefined;
  if (!reach) text = 'Not checked yet.';
  else if (reach.state === 'checking') text = `Checking ${device.url}…`;
  else if (reach.state === 'answered') {
    text = reach.version
      ? `Reports version ${reach.version} (checked ${formatTime(reach.at)}).`
      : `Answers at ${device.url}, but reports no version FieldFlash can read (checked ${formatTime(reach.at)}).`;
  } else {
    text = `${reach.problem.message} (checked ${formatTime(reach.at)})`;
    hint = reach.problem.hint;
  }
  return (
    <div role="status" aria-label="Reported version" class={`device-reach device-reach--${reach?.state ?? 'unknown'}`}>
      <p>{text}</p>
      {hint && <p class="device-reach__hint">{hint}</p>}
    </div>
  );
}

const STAGE_TEXT: Record<CompatStage, string> = {
  preparing: 'Preparing',
  hashing: 'Computing the MD5 the device checks',
  starting: 'Starting the update on the device',
  sending: 'Sending',
  waiting: 'Sent; waiting for the device to restart and report its version',
  done: 'Done',
  failed: 'Stopped',
};

function PushStatus({ deviceId, push }: { deviceId: string; push: CompatPushState }) {
  if (isPushing(push)) {
    const speed = push.rate?.bytesPerSecond;
    return (
      <div role="status" aria-label="Push progress" class="device-update">
        <p>
          {STAGE_TEXT[push.stage]}: {push.target.name}
        </p>
        {push.size > 0 && (
          <>
            <progress aria-label="Bytes sent" max={push.size} value={push.sentBytes} />
            <p>
              {formatBytes(push.sentBytes)} of {formatBytes(push.size)} sent
              {push.stage === 'sending' ? ` · ${speed === undefined ? 'measuring speed' : `${formatSpeed(speed)} · ${formatSecondsLeft(push.rate?.secondsLeft)}`}` : ''}
            </p>
          </>
        )}
      </div>
    );
  }
  const result = push.result;
  const outcome = result?.outcome ?? 'failed';
  return (
    <div role="status" aria-label="Push result" class={`device-update__result device-update__result--${outcome === 'new-version' ? 'confirmed' : 'failed'}`}>
      {result && (
        <p class="device-update__verdict">
          {{ 'new-version': 'New version', 'old-version': 'Old version', unverified: 'Sent, not verified' }[result.outcome]}: {result.reason}
        </p>
      )}
      {result && <p>{formatBytes(result.sentBytes)} sent{result.before ? `; it reported ${result.before} before` : ''}.</p>}
      {push.problem && (
        <>
          <p class="device-update__verdict">Push of {push.target.name} stopped: {push.problem.message}</p>
          <p>What to do: {push.problem.hint}</p>
        </>
      )}
      <button type="button" class="button" onClick={() => dismissCompatPush(deviceId)}>
        Dismiss
      </button>
    </div>
  );
}

function PushForm({ device, disabled }: { device: CompatDevice; disabled: boolean }) {
  const library = useLibrary();
  const [choice, setChoice] = useState('');
  const [password, setPassword] = useState('');
  if (library.state !== 'ready') return <p>{library.state === 'loading' ? 'Reading the library…' : `The library could not be read: ${library.message}`}</p>;
  const targets: CompatTarget[] = library.releases.flatMap((release) =>
    // ESPHome and ElegantOTA take one app image: a MicroPython source tree is not one.
    release.builds.flatMap((build, buildIndex) => (build.sourceTree ? [] : [{
      releaseId: release.id,
      buildIndex,
      name: `${release.product} ${release.version}${release.builds.length > 1 ? ` (${compatBuildName(build)})` : ''}`,
    }])),
  );
  if (targets.length === 0) return <p>The library holds no releases. Add the device's release in Library first.</p>;
  const key = (t: CompatTarget) => `${t.releaseId}/${t.buildIndex}`;
  const chosen = targets.find((t) => key(t) === choice) ?? targets[0]!;
  const passwordId = `compat-password-${device.id}`;
  const releaseId = `compat-release-${device.id}`;
  return (
    <form
      class="devices-form compat-push"
      aria-label={`Push a release to ${compatLabel(device)}`}
      onSubmit={(event) => {
        event.preventDefault();
        const typed = password;
        // The password lives in this push's requests only: the field is emptied as the push starts.
        setPassword('');
        void runCompatPush(device, chosen, typed);
      }}
    >
      <label for={releaseId}>Release</label>
      <select id={releaseId} value={key(chosen)} disabled={disabled} onChange={(e) => setChoice((e.currentTarget as HTMLSelectElement).value)}>
        {targets.map((t) => (
          <option key={key(t)} value={key(t)}>
            {t.name}
          </option>
        ))}
      </select>
      <label for={passwordId}>Password{device.user ? ` for ${device.user}` : ''}</label>
      <input
        id={passwordId}
        type="password"
        autoComplete="off"
        spellcheck={false}
        value={password}
        disabled={disabled}
        onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
      />
      <p class="devices-form__note">
        Asked at each push and never kept: {COMPAT_NAMES[device.kind]} takes it in clear (HTTP Basic), so it cannot be kept as a key the way a
        pairing secret is. Leave it empty for a device without a password.
      </p>
      <button type="submit" class="button button--primary" disabled={disabled}>
        Push {chosen.name}
      </button>
    </form>
  );
}
