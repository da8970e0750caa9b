// The order of the library's list: the default (releases of one product together, newest first) and the
// order of each sortable column.
// Only the order, not the bundle reader: the library's first paint must not wait for the whole bundle package.
import { compareVersionsNewestFirst } from '@fieldflash/bundle/release-order';
import type { ReleaseSummary } from '../store/index.ts';
import { boardsOf, chipFamiliesOf } from './release-facts.ts';

type Compare = (a: ReleaseSummary, b: ReleaseSummary) => number;

/** Newer releases of one product first (the bundle's one order of versions), then the later added. */
export const newestFirst: Compare = (a, b) => compareVersionsNewestFirst(a, b) || b.addedAt - a.addedAt;

export type SortColumn = 'product' | 'version' | 'chipFamily' | 'board' | 'size' | 'added' | 'integrity';
export type SortDirection = 'ascending' | 'descending';
export interface SortOrder {
  column: SortColumn;
  direction: SortDirection;
}

/** What a technician sees on opening the library: products A to Z, each product's newest release on top. */
export const DEFAULT_ORDER: SortOrder = { column: 'product', direction: 'ascending' };

// One collator for every comparison: localeCompare with options sets one up on every call, which was most of the
// time the list took to sort.
const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const text = (a: string, b: string) => collator.compare(a, b);
const byProduct: Compare = (a, b) => text(a.product, b.product);

// Each column's order, ascending; ties fall back to the default grouping so equal cells stay in a stable order.
const ASCENDING: Record<SortColumn, Compare> = {
  product: byProduct,
  version: (a, b) => compareVersionsNewestFirst(b, a),
  chipFamily: (a, b) => text(chipFamiliesOf(a).join(), chipFamiliesOf(b).join()),
  board: (a, b) => text(boardsOf(a).join(), boardsOf(b).join()),
  size: (a, b) => a.totalSize - b.totalSize,
  added: (a, b) => a.addedAt - b.addedAt,
  integrity: (a, b) => a.files.length - b.files.length,
};

/** Whether a column's first click sorts it high to low (newest, largest) rather than A to Z. */
export const FIRST_DIRECTION: Record<SortColumn, SortDirection> = {
  product: 'ascending',
  version: 'descending',
  chipFamily: 'ascending',
  board: 'ascending',
  size: 'descending',
  added: 'descending',
  integrity: 'descending',
};

export function sortReleases(releases: readonly ReleaseSummary[], order: SortOrder): ReleaseSummary[] {
  const sign = order.direction === 'ascending' ? 1 : -1;
  const primary = ASCENDING[order.column];
  return [...releases].sort((a, b) => sign * primary(a, b) || byProduct(a, b) || newestFirst(a, b) || text(a.id, b.id));
}
