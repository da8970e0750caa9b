// Errors for people: what is wrong, in which file, and what to do next.

export type BundleErrorCode =
  | 'not-a-zip'
  | 'truncated-zip'
  | 'corrupt-zip'
  | 'unsupported-zip'
  | 'crc-mismatch'
  | 'digest-mismatch'
  | 'size-mismatch'
  | 'missing-file'
  | 'unsafe-path'
  | 'duplicate-entry'
  | 'zip-bomb'
  | 'no-manifest'
  | 'invalid-manifest'
  | 'unknown-chip-family'
  | 'chip-mismatch'
  | 'invalid-image'
  | 'overlapping-parts'
  | 'part-beyond-flash'
  | 'incomplete-release'
  | 'invalid-layout'
  | 'empty-bundle';

export class BundleError extends Error {
  readonly code: BundleErrorCode;
  /** The file inside the bundle (or the dropped file) the problem is in. */
  readonly file: string | undefined;
  /** The manifest field, where one is at fault. */
  readonly field: string | undefined;
  /** What a technician can do about it. */
  readonly hint: string;

  constructor(code: BundleErrorCode, message: string, options: { file?: string; field?: string; hint: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BundleError';
    this.code = code;
    this.file = options.file;
    this.field = options.field;
    this.hint = options.hint;
  }
}
