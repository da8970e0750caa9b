// What a device says about itself: identity, counters, both slots, and its last update's outcome.
import type { DeviceDocument, LastUpdate } from '@fieldflash/protocol';

const SLOT_STATE_TEXT = {
  active: 'active (running)',
  pending: 'pending (waiting for its test boot)',
  confirmed: 'confirmed (the rollback target)',
  empty: 'empty',
} as const;

export function DeviceFacts({ document }: { document: DeviceDocument }) {
  return (
    <>
      <dl class="device-facts">
        <dt>Product</dt>
        <dd>{document.product}</dd>
        <dt>Chip</dt>
        <dd>{document.chipFamily}</dd>
        <dt>Board</dt>
        <dd>{document.board}</dd>
        <dt>Hardware revision</dt>
        <dd>{document.hardwareRevision}</dd>
        <dt>Version</dt>
        <dd>{document.version}</dd>
        {document.runtime && (
          <>
            <dt>Runtime</dt>
            <dd>{runtimeText(document.runtime)}</dd>
          </>
        )}
        <dt>Security version</dt>
        <dd>{document.securityVersion}</dd>
        <dt>Sequence</dt>
        <dd>{document.sequence}</dd>
        <dt>Device id</dt>
        <dd>
          <code>{document.id}</code>
        </dd>
      </dl>
      <table class="device-slots" aria-label="Slots">
        <thead>
          <tr>
            <th scope="col">Slot</th>
            <th scope="col">State</th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          {document.slots.map((slot) => (
            <tr key={slot.name}>
              <th scope="row">{slot.name}</th>
              <td>{SLOT_STATE_TEXT[slot.state]}</td>
              <td>{slot.version ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="device-last-update" aria-label="Last update">
        Last update: {lastUpdateText(document.lastUpdate)}
      </p>
    </>
  );
}

/** "MicroPython 1.27.0": what runs the device's source tree. */
function runtimeText(runtime: { name: string; version: string }): string {
  return `${runtime.name === 'micropython' ? 'MicroPython' : runtime.name} ${runtime.version}`;
}

export function lastUpdateText(last: LastUpdate | undefined): string {
  if (!last) return 'none reported.';
  if (last.outcome === 'confirmed') return `${last.version} confirmed.`;
  if (last.outcome === 'pending') return `${last.version} committed, waiting for its test boot.`;
  return `${last.version} rolled back: ${last.reason ?? 'the device gave no reason'}.`;
}
