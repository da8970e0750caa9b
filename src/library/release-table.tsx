// The library's releases as a dense grid: sortable columns, and a keyboard path through the rows
// (arrows move, Enter opens the details, Delete asks to delete; Tab reaches the current row and its buttons).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ReleaseSummary } from '../store/index.ts';
import { FIRST_DIRECTION, type SortColumn, type SortOrder } from './release-order.ts';
import { ReleaseRow, type RowActions } from './release-row.tsx';

// Widths are fixed (the product takes what is left): the browser lays out 50 rows without measuring every cell,
// and columns stay put while the filter changes what is shown.
const COLUMNS: ReadonlyArray<{ column: SortColumn; label: string; numeric?: boolean; width?: string }> = [
  { column: 'product', label: 'Product' },
  { column: 'version', label: 'Version', width: '7.25em' },
  { column: 'chipFamily', label: 'Chip family', width: '9.5em' },
  { column: 'board', label: 'Board', width: '9.5em' },
  { column: 'size', label: 'Size', numeric: true, width: '5em' },
  { column: 'added', label: 'Added', numeric: true, width: '7em' },
  { column: 'integrity', label: 'Integrity', width: '9.75em' },
];
// Four short buttons (Details, Flash, Export, Delete). The other widths are what their longest usual text needs
// (a date, "✓ Verified 12 files", a board name), so at 1280 px a product name like "Cold Room Sensor"
// still fits beside the Signature column.
const ACTIONS_WIDTH = '19em';
// "Signed by" and a key's name wrap onto two lines; the whole verdict is in the cell's description.
const SIGNATURE_WIDTH = '8.5em';

const PAGE_ROWS = 10;

interface TableProps extends RowActions {
  releases: readonly ReleaseSummary[];
  order: SortOrder;
  onSort: (order: SortOrder) => void;
  /** Id of the element that tells the keyboard path. */
  describedBy: string;
}

function SortHeader({ column, label, numeric, order, onSort }: (typeof COLUMNS)[number] & { order: SortOrder; onSort: (order: SortOrder) => void }) {
  const sorted = order.column === column;
  const next: SortOrder = sorted
    ? { column, direction: order.direction === 'ascending' ? 'descending' : 'ascending' }
    : { column, direction: FIRST_DIRECTION[column] };
  return (
    <th scope="col" class={numeric ? 'numeric' : undefined} aria-sort={sorted ? order.direction : undefined}>
      <button type="button" class="sort-button" onClick={() => onSort(next)}>
        {label}
        <span class="sort-button__arrow" aria-hidden="true">
          {sorted ? (order.direction === 'ascending' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

function rowsOf(table: HTMLTableElement | null): HTMLTableRowElement[] {
  return table ? [...table.querySelectorAll<HTMLTableRowElement>('tbody tr[data-release-id]')] : [];
}

export function ReleaseTable({ releases, order, onSort, describedBy, ...actions }: TableProps) {
  const table = useRef<HTMLTableElement>(null);
  const [activeId, setActiveId] = useState<string | undefined>(undefined);
  // The row Tab lands on: the one last focused, or the first shown when that one is filtered out or deleted.
  const active = releases.some((r) => r.id === activeId) ? activeId : releases[0]?.id;
  const grouped = order.column === 'product';

  // After a delete, the row that took the deleted one's place gets the focus, so the keyboard path goes on from there.
  const deleting = useRef<{ id: string; index: number } | undefined>(undefined);
  useEffect(() => {
    const pending = deleting.current;
    if (!pending || releases.some((r) => r.id === pending.id)) return;
    deleting.current = undefined;
    const rows = rowsOf(table.current);
    rows[Math.min(pending.index, rows.length - 1)]?.focus();
  }, [releases]);
  const shownRef = useRef(releases);
  shownRef.current = releases;
  const { onDelete } = actions;
  const askToDelete = useCallback(
    (release: ReleaseSummary) => {
      // By id: a row kept from an earlier render may hand over an earlier read of the same release.
      deleting.current = { id: release.id, index: shownRef.current.findIndex((r) => r.id === release.id) };
      onDelete(release);
    },
    [onDelete],
  );

  const onFocusIn = (event: FocusEvent) => {
    const row = (event.target as Element).closest<HTMLTableRowElement>('tr[data-release-id]');
    if (!row) return;
    setActiveId(row.dataset.releaseId);
    if (deleting.current?.id !== row.dataset.releaseId) deleting.current = undefined; // kept, and the path moved on
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    const row = target.closest<HTMLTableRowElement>('tr[data-release-id]');
    if (!row || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = rowsOf(table.current);
    const index = rows.indexOf(row);
    const release = releases.find((r) => r.id === row.dataset.releaseId);
    const moveTo = (to: number) => {
      event.preventDefault();
      rows[Math.max(0, Math.min(rows.length - 1, to))]?.focus();
    };
    switch (event.key) {
      case 'ArrowDown':
        return moveTo(index + 1);
      case 'ArrowUp':
        return moveTo(index - 1);
      case 'PageDown':
        return moveTo(index + PAGE_ROWS);
      case 'PageUp':
        return moveTo(index - PAGE_ROWS);
      case 'Home':
        return moveTo(0);
      case 'End':
        return moveTo(rows.length - 1);
      case 'Enter':
        // On a button, Enter presses that button; on the row, it opens the details.
        if (target === row && release) {
          event.preventDefault();
          actions.onDetails(release);
        }
        return;
      case 'Delete':
      case 'Backspace':
        if (release) {
          event.preventDefault();
          askToDelete(release);
        }
        return;
    }
  };

  return (
    <div class="release-table-frame">
      <table ref={table} role="grid" class="release-table" aria-label="Releases" aria-describedby={describedBy} onFocusIn={onFocusIn} onKeyDown={onKeyDown}>
        <colgroup>
          {COLUMNS.map((c) => (
            <col key={c.column} style={c.width ? { width: c.width } : undefined} />
          ))}
          <col style={{ width: SIGNATURE_WIDTH }} />
          <col style={{ width: ACTIONS_WIDTH }} />
        </colgroup>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <SortHeader key={c.column} {...c} order={order} onSort={onSort} />
            ))}
            <th scope="col">Signature</th>
            <th scope="col" class="release-table__actions-header">
              Actions
            </th>
          </tr>
        </thead>
        <tbody>
          {releases.map((release, i) => {
            const previous = releases[i - 1];
            const sameProduct = grouped && previous?.product === release.product;
            return (
              <ReleaseRow
                key={release.id}
                release={release}
                active={release.id === active}
                groupStart={grouped && i > 0 && !sameProduct}
                repeatsProduct={sameProduct}
                {...actions}
                onDelete={askToDelete}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
