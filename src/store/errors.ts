// Storage failures told in a technician's words.

export type StoreErrorCode = 'storage-full' | 'storage-unavailable' | 'not-found';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** What to do next. */
  readonly hint: string;

  constructor(code: StoreErrorCode, message: string, hint: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StoreError';
    this.code = code;
    this.hint = hint;
  }
}

/** Turns what IndexedDB threw into a StoreError; `action` says what was being done ("store LOGIBUS 0.100.0"). */
export function storeErrorFrom(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error;
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'QuotaExceededError') {
    return new StoreError(
      'storage-full',
      `There is not enough storage space on this device to ${action}. Nothing was stored.`,
      'Delete releases you no longer need from the library, or free disk space on this laptop, then import again.',
      error,
    );
  }
  const detail = error instanceof Error && error.message ? ` (${error.message})` : '';
  return new StoreError(
    'storage-unavailable',
    `The browser's storage failed while trying to ${action}${detail}. Nothing was changed.`,
    'Reload FieldFlash and try again. In a private window, storage may be unavailable: use a normal window.',
    error,
  );
}
