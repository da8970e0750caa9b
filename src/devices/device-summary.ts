// A device in one line, for the compact cards of a view with many devices: what it runs and what its slots hold.
import type { DeviceDocument } from '@fieldflash/protocol';

export function deviceSummary(document: DeviceDocument): string {
  const slots = document.slots.map((s) => (s.state === 'empty' ? `${s.name} empty` : `${s.name} ${s.state} ${s.version ?? ''}`.trim())).join(', ');
  return `Runs ${document.version} · ${document.chipFamily} ${document.board} rev ${document.hardwareRevision} · slots ${slots}`;
}
