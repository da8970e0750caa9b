// Asks before something that cannot be taken back (forgetting a device, sending an older version). The safe
// choice has the focus, so Enter alone never does it.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmDialogProps {
  /** The dialog's accessible name, e.g. "Confirm forgetting FieldFlash Demo at 127.0.0.1:8070". */
  label: string;
  children: ComponentChildren;
  confirmText: string;
  keepText: string;
  onConfirm: () => void;
  onKeep: () => void;
}

export function ConfirmDialog({ label, children, confirmText, keepText, onConfirm, onKeep }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    keep.current?.focus();
  }, []);
  return (
    <dialog ref={dialog} role="alertdialog" class="confirm-dialog" aria-label={label} onClose={onKeep}>
      <div class="confirm-dialog__text">{children}</div>
      <div class="confirm-dialog__actions">
        <button type="button" class="button button--danger" onClick={onConfirm}>
          {confirmText}
        </button>
        <button ref={keep} type="button" class="button" onClick={() => dialog.current?.close()}>
          {keepText}
        </button>
      </div>
    </dialog>
  );
}
