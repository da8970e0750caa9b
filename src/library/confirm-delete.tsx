// Asks before a release leaves the library: flashing it again would need its zip.
import { useEffect, useRef } from 'preact/hooks';
import type { ReleaseSummary } from '../store/index.ts';
import { releaseName } from './release-facts.ts';

export function ConfirmDelete({ release, onDelete, onKeep }: { release: ReleaseSummary; onDelete: () => void; onKeep: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    keep.current?.focus(); // the safe choice has the focus: Enter alone never deletes
  }, []);
  const name = releaseName(release);
  return (
    <dialog ref={dialog} role="alertdialog" class="confirm-delete" aria-label={`Confirm deleting ${name}`} aria-describedby="confirm-delete-text" onClose={onKeep}>
      <p id="confirm-delete-text">
        Delete <strong>{name}</strong> from this device? Flashing it again will need its zip.
      </p>
      <div class="confirm-delete__actions">
        <button type="button" class="button button--danger" onClick={onDelete}>
          Delete release
        </button>
        <button ref={keep} type="button" class="button" onClick={() => dialog.current?.close()}>
          Keep it
        </button>
      </div>
    </dialog>
  );
}
