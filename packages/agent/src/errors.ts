// A refusal the agent answers with: a stable protocol code, its HTTP status and a sentence for people.
import { ERROR_CODES, type ErrorCode, type ErrorDetails } from '@fieldflash/protocol';

export class AgentRefusal extends Error {
  readonly status: number;
  readonly details: Omit<ErrorDetails, 'code' | 'message'>;
  /** Headers the refusal travels with, e.g. Allow on a 405. */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly code: ErrorCode,
    message?: string,
    details: Omit<ErrorDetails, 'code' | 'message'> = {},
    status?: number,
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.status = status ?? ERROR_CODES[code].status;
    this.details = details;
  }

  get body(): { error: ErrorDetails } {
    return { error: { ...this.details, code: this.code, message: this.message } };
  }
}
