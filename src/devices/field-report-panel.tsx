// The field report in the Devices view: every update run from here, newest first, exported as CSV or JSON for
// today or for all.
import { useEffect, useState } from 'preact/hooks';
import { listReportEntries, subscribeFieldReport, type FieldReportEntry } from '../store/index.ts';
import { formatBytes } from '../library/format.ts';
import { formatTime, hostOf, REPORT_TRANSPORT_LABEL } from './device-format.ts';
import { downloadText, inScope, reportCsv, reportFileName, reportJson, type ReportScope } from './field-report-export.ts';

type Loaded = { state: 'loading' } | { state: 'ready'; entries: FieldReportEntry[] } | { state: 'failed'; message: string };

const RESULT_LABEL = {
  confirmed: 'Confirmed', 'rolled-back': 'Rolled back', failed: 'Failed', 'new-version': 'Reports the new version', unverified: 'Sent, not verified',
} as const;

export function FieldReportPanel() {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [scope, setScope] = useState<ReportScope>('today');
  useEffect(() => {
    let current = true;
    const load = () =>
      listReportEntries().then(
        (entries) => current && setLoaded({ state: 'ready', entries }),
        (error: unknown) => current && setLoaded({ state: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
    void load();
    const unsubscribe = subscribeFieldReport(() => void load());
    return () => {
      current = false;
      unsubscribe();
    };
  }, []);
  const entries = loaded.state === 'ready' ? loaded.entries : [];
  const exportAs = (format: 'csv' | 'json') => {
    const chosen = inScope(entries, scope);
    if (format === 'csv') downloadText(reportFileName(scope, 'csv'), reportCsv(chosen), 'text/csv');
    else downloadText(reportFileName(scope, 'json'), reportJson(chosen), 'application/json');
  };
  return (
    <section class="field-report" aria-labelledby="field-report-heading">
      <h2 id="field-report-heading">Field report</h2>
      {loaded.state === 'loading' && <p>Reading the field report…</p>}
      {loaded.state === 'failed' && (
        <div role="alert" class="alert">
          <p class="alert__title">The field report could not be read.</p>
          <p>{loaded.message}</p>
        </div>
      )}
      {loaded.state === 'ready' && entries.length === 0 && <p>No updates yet. Each update run from this view is listed here when it ends.</p>}
      {entries.length > 0 && (
        <table class="field-report__table" aria-label="Updates">
          <thead>
            <tr>
              <th scope="col">Ended</th>
              <th scope="col">Device</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Over</th>
              <th scope="col">Sent</th>
              <th scope="col">Took</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{formatTime(entry.endedAt)}</td>
                <td>
                  {entry.product} at {hostOf(entry.address)}
                </td>
                <td>{entry.fromVersion || '—'}</td>
                <td>
                  {entry.toVersion || '—'}
                  {entry.downgradeConfirmed && ' (downgrade, confirmed)'}
                </td>
                <td>{REPORT_TRANSPORT_LABEL[entry.transport]}</td>
                <td>{formatBytes(entry.bytesSent)}</td>
                <td>{((entry.endedAt - entry.startedAt) / 1000).toFixed(1)} s</td>
                <td>
                  {RESULT_LABEL[entry.result]}
                  {entry.reason && `: ${entry.reason}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="field-report__export">
        <label>
          Export which updates{' '}
          <select value={scope} onChange={(event) => setScope((event.currentTarget as HTMLSelectElement).value as ReportScope)}>
            <option value="today">Today's</option>
            <option value="all">All</option>
          </select>
        </label>
        <button type="button" class="button" disabled={loaded.state !== 'ready'} aria-label="Export the field report as CSV" onClick={() => exportAs('csv')}>
          Export CSV
        </button>
        <button type="button" class="button" disabled={loaded.state !== 'ready'} aria-label="Export the field report as JSON" onClick={() => exportAs('json')}>
          Export JSON
        </button>
      </div>
    </section>
  );
}
