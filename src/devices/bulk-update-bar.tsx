// Updating many devices at once: select all or some, "Update selected" to the newest release that fits each, an
// optional time to apply at, and the limit of updates at once. Says which devices were left out and why, and sums
// up where every update is.
import { useRef, useState } from 'preact/hooks';
import { useLibrary } from '../library/use-library.ts';
import { useSharedState } from '../shared-state.ts';
import type { PairedDevice, ReleaseSummary } from '../store/index.ts';
import { TrustNotice } from '../trust/trust-block.tsx';
import { trustInWords } from '../trust/trust-words.ts';
import { useReleaseVerdicts } from '../trust/use-release-trust.ts';
import type { ReleaseTrust } from '@fieldflash/bundle/trust';
import { parseApplyAt } from './apply-at.ts';
import { ApplyAtField } from './apply-at-field.tsx';
import { type BulkPlan, type BulkSkip, planBulkUpdate } from './bulk-plan.ts';
import { deviceLabel } from './device-card.tsx';
import { selectAll, selectedDevices } from './device-selection.ts';
import { deviceUpdates, isRunning } from './device-update.ts';
import { MAX_LIMIT, requestDeviceUpdate, setConcurrencyLimit, updateQueue } from './update-runs.ts';
import { countUpdates, summaryLine } from './update-summary.ts';

interface Outcome {
  started: string[];
  skipped: BulkSkip[];
  /** Releases left out because they are not trusted: their block is shown, with the way to trust them. */
  blocked: ReleaseSummary[];
}

/** Leaves out the devices whose release is not trusted now, saying why. */
function withoutBlocked(plan: BulkPlan, verdicts: ReadonlyMap<string, ReleaseTrust | undefined>): BulkPlan & { blocked: ReleaseSummary[] } {
  const refusal = (release: ReleaseSummary): string | undefined => {
    const trust = verdicts.get(release.id);
    if (!trust) return 'its signature could not be checked';
    const words = trustInWords(trust);
    return words.blocked ? words.short : undefined;
  };
  const releases = [...new Map(plan.start.map((s) => [s.release.id, s.release])).values()];
  const blocked = releases.filter((r) => refusal(r) !== undefined);
  const skipped = plan.start.flatMap(({ device, release }) => {
    const why = refusal(release);
    return why ? [{ device, reason: `${release.product} ${release.version} cannot be installed: ${why}` }] : [];
  });
  return { start: plan.start.filter((s) => refusal(s.release) === undefined), skipped: [...plan.skipped, ...skipped], blocked };
}

export function BulkUpdateBar({ devices }: { devices: readonly PairedDevice[] }) {
  const library = useLibrary();
  const updates = useSharedState(deviceUpdates);
  const chosen = useSharedState(selectedDevices);
  const [applyAt, setApplyAt] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const selected = devices.filter((d) => chosen.has(d.id));
  const all = devices.length > 0 && selected.length === devices.length;
  const some = selected.length > 0 && !all;
  const ids = devices.map((d) => d.id);
  const states = ids.flatMap((id) => (updates[id] ? [updates[id]] : []));

  const verdicts = useReleaseVerdicts(library.state === 'ready' ? library.releases : undefined);
  const start = () => {
    if (library.state !== 'ready' || !verdicts) return;
    const when = parseApplyAt(applyAt);
    if (!when.ok) return setProblem(when.message);
    setProblem(undefined);
    const busy = (id: string) => updateQueue.has(id) || isRunning(deviceUpdates.get()[id]);
    const plan = withoutBlocked(planBulkUpdate(selected, library.releases, busy, when.at !== undefined), verdicts);
    for (const { device, release } of plan.start) {
      requestDeviceUpdate(device, { id: release.id, name: `${release.product} ${release.version}` }, { downgrade: false, ...(when.at !== undefined ? { applyAt: when.at } : {}) });
    }
    setOutcome({ started: plan.start.map((s) => `${deviceLabel(s.device)} to ${s.release.version}`), skipped: plan.skipped, blocked: plan.blocked });
  };

  return (
    <section class="devices-bulk" aria-label="Update many devices">
      <div class="devices-bulk__row">
        <label class="devices-bulk__all">
          <SelectAll checked={all} indeterminate={some} onChange={(on) => selectAll(ids, on)} />
          Select all
        </label>
        <span class="devices-bulk__count">
          {selected.length} of {devices.length} selected
        </span>
        <ApplyAtField
          id="apply-at-selected"
          value={applyAt}
          onInput={(value) => {
            setApplyAt(value);
            setProblem(undefined);
          }}
          disabled={false}
        />
        <button type="button" class="button button--primary" disabled={selected.length === 0 || library.state !== 'ready' || !verdicts} onClick={start}>
          Update selected
        </button>
        <LimitField />
      </div>
      {problem && (
        <p role="alert" class="device-settings__problem">
          {problem}
        </p>
      )}
      {outcome && (
        <div role="status" aria-label="Update selected outcome" class="devices-bulk__outcome">
          <p>
            {outcome.started.length === 0 ? 'No update started.' : `Started ${outcome.started.length === 1 ? '1 update' : `${outcome.started.length} updates`}: ${outcome.started.join('; ')}.`}
          </p>
          {outcome.skipped.length > 0 && (
            <>
              <p>Left out:</p>
              <ul>
                {outcome.skipped.map(({ device, reason }) => (
                  <li key={device.id}>
                    {deviceLabel(device)}: {reason}
                  </li>
                ))}
              </ul>
            </>
          )}
          {outcome.blocked.map((release) => (
            <TrustNotice key={release.id} release={release} />
          ))}
        </div>
      )}
      {states.length > 0 && (
        <p role="status" aria-label="Updates summary" class="devices-bulk__summary">
          {summaryLine(countUpdates(states))}
        </p>
      )}
    </section>
  );
}

/** A checkbox whose third state ("some selected") only exists as a DOM property. */
function SelectAll({ checked, indeterminate, onChange }: { checked: boolean; indeterminate: boolean; onChange: (on: boolean) => void }) {
  const box = useRef<HTMLInputElement>(null);
  if (box.current) box.current.indeterminate = indeterminate;
  return (
    <input
      ref={(el) => {
        box.current = el;
        if (el) el.indeterminate = indeterminate;
      }}
      type="checkbox"
      aria-label="Select all devices"
      checked={checked}
      onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)}
    />
  );
}

/** The view's limit of updates at once, kept for the next visit. */
function LimitField() {
  const [value, setValue] = useState(String(updateQueue.limit));
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const keep = () => {
    const limit = Number(value);
    if (Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT) {
      setProblem(undefined);
      setConcurrencyLimit(limit);
    } else setProblem(`"${value}" is not a limit: enter a whole number of updates from 1 to ${MAX_LIMIT}. The limit stays ${updateQueue.limit}.`);
  };
  return (
    <span class="devices-bulk__limit">
      <label for="updates-at-once">Updates at once</label>
      <input
        id="updates-at-once"
        type="number"
        min={1}
        max={MAX_LIMIT}
        step={1}
        inputMode="numeric"
        value={value}
        onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
        onChange={keep}
      />
      {problem && (
        <span role="alert" class="device-settings__problem">
          {problem}
        </span>
      )}
    </span>
  );
}
