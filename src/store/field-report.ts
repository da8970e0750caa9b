// The field report: one entry per LAN update the Devices view ran, kept when the update ends, whatever the end.
// It names the device by id and address and never holds the pairing key, the session or any other secret, so an
// exported report can be mailed to anyone.
import { database } from './schema.ts';
import { storeErrorFrom } from './errors.ts';
import type { LanTransport } from './paired-devices.ts';
import type { ReportResult, ReportTransport, FieldReportEntry } from './records.ts';

export type { ReportResult, ReportTransport, FieldReportEntry } from './records.ts';

type ChangeListener = () => void;
const listeners = new Set<ChangeListener>();

/** Calls the listener whenever an entry is added in this window. */
export function subscribeFieldReport(listener: ChangeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export async function addReportEntry(entry: Omit<FieldReportEntry, 'id'>): Promise<FieldReportEntry> {
  const stored: FieldReportEntry = { id: crypto.randomUUID(), ...entry };
  try {
    await (await database()).put('fieldReport', stored);
  } catch (error) {
    throw storeErrorFrom(error, `record the update of the device at ${entry.address} in the field report`);
  }
  for (const listener of [...listeners]) listener();
  return stored;
}

/** Every entry, newest first. */
export async function listReportEntries(): Promise<FieldReportEntry[]> {
  try {
    const all = await (await database()).getAll('fieldReport');
    return all.sort((a, b) => b.endedAt - a.endedAt);
  } catch (error) {
    throw storeErrorFrom(error, 'read the field report');
  }
}
