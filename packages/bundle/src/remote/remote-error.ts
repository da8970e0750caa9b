// Failures of fetching a release over the network, told for people: what happened, at which address, what to do.

export type RemoteErrorCode =
  | 'offline'
  | 'cross-origin-refused'
  | 'unreachable'
  | 'missing'
  | 'http-error'
  | 'not-a-release'
  | 'no-install-button'
  | 'too-big'
  | 'digest-changed'
  | 'bad-url'
  | 'cancelled';

export class RemoteError extends Error {
  readonly code: RemoteErrorCode;
  /** The address at fault. */
  readonly url: string | undefined;
  /** What a technician can do about it. */
  readonly hint: string;

  constructor(code: RemoteErrorCode, message: string, options: { url?: string; hint: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RemoteError';
    this.code = code;
    this.url = options.url;
    this.hint = options.hint;
  }
}

export function isRemoteError(error: unknown): error is RemoteError {
  return error instanceof Error && error.name === 'RemoteError' && typeof (error as RemoteError).hint === 'string';
}
