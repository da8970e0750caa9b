// The field report as files: CSV for a spreadsheet, JSON for a program, for today or for all. The values come
// from devices on a shared network (product, versions, a health check's reason), so a CSV cell that a spreadsheet
// would run as a formula is written as text.
import type { FieldReportEntry } from '../store/index.ts';

export type ReportScope = 'today' | 'all';

/** The columns, in order; the JSON uses the same names. */
export const REPORT_COLUMNS = [
  'deviceId', 'address', 'product', 'fromVersion', 'toVersion', 'transport', 'bytesSent', 'startedAt', 'endedAt', 'durationMs', 'result', 'reason',
  'downgradeConfirmed',
] as const;

export type ReportRow = Record<(typeof REPORT_COLUMNS)[number], string | number | boolean>;

/** One entry as exported: times as ISO 8601 (UTC), the duration in ms, an absent reason as "". */
export function reportRow(entry: FieldReportEntry): ReportRow {
  return {
    deviceId: entry.deviceId,
    address: entry.address,
    product: entry.product,
    fromVersion: entry.fromVersion,
    toVersion: entry.toVersion,
    transport: entry.transport,
    bytesSent: entry.bytesSent,
    startedAt: new Date(entry.startedAt).toISOString(),
    endedAt: new Date(entry.endedAt).toISOString(),
    durationMs: entry.endedAt - entry.startedAt,
    result: entry.result,
    reason: entry.reason ?? '',
    downgradeConfirmed: entry.downgradeConfirmed,
  };
}

/** The entries that ended today (this laptop's day), or all. */
export function inScope(entries: readonly FieldReportEntry[], scope: ReportScope, now = new Date()): FieldReportEntry[] {
  if (scope === 'all') return [...entries];
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
  return entries.filter((e) => e.endedAt >= start && e.endedAt < end);
}

function csvCell(value: string | number | boolean): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: a header row, CRLF line ends. */
export function reportCsv(entries: readonly FieldReportEntry[]): string {
  const lines = [REPORT_COLUMNS.join(',')];
  for (const entry of entries) {
    const row = reportRow(entry);
    lines.push(REPORT_COLUMNS.map((column) => csvCell(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function reportJson(entries: readonly FieldReportEntry[]): string {
  return `${JSON.stringify(entries.map(reportRow), null, 2)}\n`;
}

/** "fieldflash-report-2026-12-02.csv" for today, "fieldflash-report-all.json" for all. */
export function reportFileName(scope: ReportScope, format: 'csv' | 'json', now = new Date()): string {
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return `fieldflash-report-${scope === 'today' ? day : 'all'}.${format}`;
}

/** Hands the text to the browser as a download. */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; give the browser a moment before releasing the bytes.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
