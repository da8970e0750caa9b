// Controls only a simulated board has: pull its cable on demand, plug it back, save its flash as a .bin,
// and make it fail on purpose (a bad line, no download mode, an app that does not stay up). Folded away by default.
import { useState } from 'preact/hooks';
import type { BootFault } from '@fieldflash/esp-emulator';
import { formatFlashSize } from '../serial/device-identity.ts';
import { flashController } from './flash-controller.ts';
import { flashState, SIMULATED_CHIPS, useWatched } from './flash-state.ts';
import { downloadBlob } from './download.ts';
import { SimulatedWifiPanel } from '../provision/simulated-wifi-panel.tsx';

const LINE_LIMITS = [115200, 460800, 921600] as const;

const BOOT_FAULT_LABELS: Record<BootFault, string> = {
  panic: 'App panics (Guru Meditation Error)',
  abort: 'App calls abort()',
  brownout: 'Brownout when the app starts',
  'boot-loop': 'Boot loop (watchdog reset)',
  silent: 'Prints nothing (console and boot messages off)',
};

export function SimulatedPanel() {
  const simulated = useWatched(flashState.simulated);
  const [afterKiB, setAfterKiB] = useState(256);
  if (!simulated) return null;
  const wifi = flashController.simulatedWifi();
  const chipLabel = SIMULATED_CHIPS.find((c) => c.id === simulated.chip)?.label ?? simulated.chip;

  const save = () => {
    const image = flashController.simulatedFlashImage();
    if (image) downloadBlob(new Blob([image.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), image.fileName);
  };

  return (
    <details class="flash-step flash-fold flash-simulated-panel">
      <summary>
        <h3 id="simulated-heading">Simulated device tools</h3>
      </summary>
      <p>
        Simulated {chipLabel}, {formatFlashSize(simulated.flashSize)} flash, cable {simulated.plugged ? 'plugged in' : 'pulled out'}. Nothing
        here touches real hardware.
      </p>
      <div class="flash-row">
        <label>
          Pull cable after (KiB){' '}
          <input type="number" min={0} step={1} value={afterKiB} onInput={(e) => setAfterKiB(Number(e.currentTarget.value))} />
        </label>
        <button type="button" class="button" onClick={() => flashController.pullSimulatedCable(afterKiB)} disabled={!simulated.plugged}>
          Pull cable
        </button>
        <button type="button" class="button" onClick={() => flashController.replugSimulated()} disabled={simulated.plugged}>
          Re-plug
        </button>
        <button type="button" class="button" onClick={save}>
          Save flash image
        </button>
      </div>
      <fieldset>
        <legend>Lasting faults</legend>
        <label>
          Line reliable up to{' '}
          <select
            value={simulated.faults.maxReliableBaud === undefined ? '' : String(simulated.faults.maxReliableBaud)}
            onChange={(e) => {
              const value = e.currentTarget.value;
              flashController.setSimulatedFaults({ ...simulated.faults, maxReliableBaud: value ? Number(value) : undefined });
            }}
          >
            <option value="">any rate</option>
            {LINE_LIMITS.map((b) => (
              <option key={b} value={String(b)}>
                {b} baud
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={simulated.faults.neverSync}
            onChange={(e) => flashController.setSimulatedFaults({ ...simulated.faults, neverSync: e.currentTarget.checked })}
          />{' '}
          Not in download mode (never answers SYNC)
        </label>
        <label>
          After a reset, the app{' '}
          <select
            aria-label="Boot fault"
            value={simulated.faults.bootFault ?? ''}
            onChange={(e) => {
              const value = e.currentTarget.value as BootFault | '';
              flashController.setSimulatedFaults({ ...simulated.faults, bootFault: value || undefined });
            }}
          >
            <option value="">runs normally</option>
            {(Object.keys(BOOT_FAULT_LABELS) as BootFault[]).map((fault) => (
              <option key={fault} value={fault}>
                {BOOT_FAULT_LABELS[fault]}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {wifi && <SimulatedWifiPanel current={wifi} onApply={(change) => flashController.setSimulatedWifi(change)} />}
    </details>
  );
}
