// The release chosen in the library with its row's Flash (#/flash?release=<id>): named before a board is
// connected, kept when it fits the board, and when it does not, the reason and what was chosen instead.
import { isSourceTreeRelease, sourceTreeInstallNote } from '@fieldflash/bundle/source-tree';
import type { ReleaseSummary } from '../store/index.ts';
import { useRoute } from '../routes.ts';
import type { ReleaseOption } from './release-choice.ts';
import { useLibraryReleases } from './release-picker.tsx';

const nameOf = (release: Pick<ReleaseSummary, 'product' | 'version'>) => `${release.product} ${release.version}`;

/** Before a board is connected: which release will be flashed once one is. */
export function RequestedBeforeConnect() {
  const requestedId = useRoute().release;
  const { releases } = useLibraryReleases();
  if (!requestedId || !releases) return null;
  const release = releases.find((r) => r.id === requestedId);
  return (
    <p class="flash-requested" role="note" aria-label="Release chosen in the library">
      {release && isSourceTreeRelease(release)
        ? `Chosen in the library: ${sourceTreeInstallNote(release)}`
        : release
        ? `Chosen in the library: ${nameOf(release)}. Connect a board to flash it.`
        : 'The release chosen in the library is no longer on this device. Connect a board to choose another.'}
    </p>
  );
}

/** Once a board is connected: the library's choice kept, or why not and what is chosen instead. */
export function RequestedReleaseNote({
  requested,
  board,
  instead,
}: {
  requested: ReleaseOption<ReleaseSummary> | undefined;
  board: string;
  instead: ReleaseSummary | undefined;
}) {
  const fallback = instead ? `Chosen instead: ${nameOf(instead)}.` : 'No release in the library fits this board.';
  if (requested?.build) {
    return (
      <p class="flash-requested" role="note" aria-label="Release chosen in the library">
        Chosen in the library: {nameOf(requested.release)}.
      </p>
    );
  }
  return (
    <p class="flash-requested flash-requested--refused" role="note" aria-label="Release chosen in the library">
      <strong>
        {requested && isSourceTreeRelease(requested.release)
          ? `Chosen in the library: ${nameOf(requested.release)}, a MicroPython source tree, not a flash image.`
          : requested
          ? `Chosen in the library: ${nameOf(requested.release)}, but it does not fit the ${board}.`
          : 'The release chosen in the library is no longer on this device.'}
      </strong>{' '}
      {requested?.reason ? `${requested.reason} ` : ''}
      {fallback}
    </p>
  );
}
