// One release as a row of the library's list: what it is, how big, when added, verified, and what can be done with it.
import { Component, Fragment } from 'preact';
import { isSourceTreeRelease } from '@fieldflash/bundle/source-tree';
import { hrefFor } from '../routes.ts';
import { TrustCell } from './release-trust-cell.tsx';
import type { ReleaseSummary } from '../store/index.ts';
import { formatBytes, formatDate, formatShortDate } from './format.ts';
import { boardsOf, chipFamiliesOf, releaseName, verificationOf } from './release-facts.ts';

export interface RowActions {
  onDetails: (release: ReleaseSummary) => void;
  onExport: (release: ReleaseSummary) => void;
  onDelete: (release: ReleaseSummary) => void;
}

interface RowProps extends RowActions {
  release: ReleaseSummary;
  /** The row that Tab reaches: the others are one arrow key away. */
  active: boolean;
  /** First release of its product in the grouped order. */
  groupStart: boolean;
  /** Same product as the row above in the grouped order: the name is shown quietly. */
  repeatsProduct: boolean;
}

function NotesFlag({ release }: { release: ReleaseSummary }) {
  if (release.notes.length === 0) return null;
  const warnings = release.notes.filter((n) => n.level === 'warning').length;
  const count = release.notes.length;
  const label = warnings > 0 ? `${warnings} ${warnings === 1 ? 'warning' : 'warnings'}` : `${count} ${count === 1 ? 'note' : 'notes'}`;
  return (
    <span class={`notes-flag${warnings > 0 ? ' notes-flag--warning' : ''}`} title={release.notes.map((n) => n.message).join('\n')}>
      {label}
    </span>
  );
}

/** A release added from a web address says so, with the address on hover and to assistive technology. */
export function WebFlag({ release }: { release: ReleaseSummary }) {
  if (!release.source) return null;
  const from = `Added from ${release.source.url}`;
  return (
    <span class="web-flag" title={from} aria-description={from}>
      web
    </span>
  );
}

/** A list of names that wraps between names, never inside one ("lgw-classic" stays whole). */
function Items({ items }: { items: readonly string[] }) {
  return (
    <>
      {items.map((item, i) => (
        <Fragment key={item}>
          <span class="release-row__item">
            {item}
            {i < items.length - 1 ? ',' : ''}
          </span>
          {i < items.length - 1 ? ' ' : ''}
        </Fragment>
      ))}
    </>
  );
}

function Row({ release, active, groupStart, repeatsProduct, onDetails, onExport, onDelete }: RowProps) {
  const name = releaseName(release);
  const tab = active ? 0 : -1;
  const families = chipFamiliesOf(release);
  const boards = boardsOf(release);
  const fileCount = release.files.length;
  return (
    <tr
      class={`release-row${groupStart ? ' release-row--group-start' : ''}`}
      data-release-id={release.id}
      aria-label={name}
      tabIndex={tab}
      onDblClick={(event) => {
        if (!(event.target as Element).closest('button, a')) onDetails(release);
      }}
    >
      <th scope="row" class={`release-row__product${repeatsProduct ? ' release-row__product--repeat' : ''}`}>
        {release.product}
      </th>
      <td class="release-row__version release-row__wraps">
        <span class="version">{release.version}</span> <WebFlag release={release} /> <NotesFlag release={release} />
      </td>
      <td class="release-row__wraps">{families.length > 0 ? <Items items={families} /> : 'none declared'}</td>
      <td class={boards.length === 0 ? 'release-row__none' : 'release-row__wraps'}>{boards.length > 0 ? <Items items={boards} /> : '—'}</td>
      <td class="numeric">{formatBytes(release.totalSize)}</td>
      <td class="numeric">
        <time dateTime={new Date(release.addedAt).toISOString()} title={formatDate(release.addedAt)}>
          {formatShortDate(release.addedAt)}
        </time>
      </td>
      <td class="release-row__integrity" title={verificationOf(release)}>
        <span aria-hidden="true">✓ </span>
        Verified {fileCount} {fileCount === 1 ? 'file' : 'files'}
      </td>
      <td class="release-row__wraps">
        <TrustCell release={release} />
      </td>
      <td class="release-row__actions">
        <button type="button" class="button button--small" tabIndex={tab} aria-label={`Details of ${name}`} onClick={() => onDetails(release)}>
          Details
        </button>
        {/* A source tree is installed file by file, not flashed: the details say how. */}
        {!isSourceTreeRelease(release) && (
          <a class="button button--small" href={hrefFor('flash', { release: release.id })} tabIndex={tab} aria-label={`Flash ${name}`}>
            Flash
          </a>
        )}
        <button type="button" class="button button--small" tabIndex={tab} aria-label={`Export ${name} as zip`} onClick={() => onExport(release)}>
          Export
        </button>
        <button type="button" class="button button--small button--danger" tabIndex={tab} aria-label={`Delete ${name}`} onClick={() => onDelete(release)}>
          Delete
        </button>
      </td>
    </tr>
  );
}

const sameRow = (before: RowProps, after: RowProps) =>
  before.release.id === after.release.id &&
  // A stored unsigned release may take its publisher's signature later, a file more (its id does not cover it).
  before.release.files.length === after.release.files.length &&
  before.release.addedAt === after.release.addedAt &&
  before.active === after.active &&
  before.groupStart === after.groupStart &&
  before.repeatsProduct === after.repeatsProduct &&
  before.onDetails === after.onDetails &&
  before.onExport === after.onExport &&
  before.onDelete === after.onDelete;

/**
 * A stored release never changes under its id (the id hashes its content), so a row whose release, place and
 * handlers are the same is not rendered again when the library is re-read after an import or a delete.
 */
export class ReleaseRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    return !sameRow(this.props, next);
  }

  render() {
    return <Row {...this.props} />;
  }
}
