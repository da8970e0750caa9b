// The error an update ends with when it cannot be carried through: its message says why and what to do.

/** The update could not be carried through; the message says why and what to do. */
export class UpdateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpdateError';
  }
}
