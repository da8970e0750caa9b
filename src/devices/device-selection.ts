// Which devices are selected for "Update selected", by device id; kept for this visit only.
import { SharedState } from '../shared-state.ts';

export const selectedDevices = new SharedState<ReadonlySet<string>>(new Set());

export function setSelected(deviceId: string, selected: boolean): void {
  const next = new Set(selectedDevices.get());
  if (selected) next.add(deviceId);
  else next.delete(deviceId);
  selectedDevices.set(next);
}

export function selectAll(deviceIds: readonly string[], selected: boolean): void {
  selectedDevices.set(new Set(selected ? deviceIds : []));
}
