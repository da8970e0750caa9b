// When a failed step is tried again (docs/protocol.md §4.2, §6): link failures and the refusals that mean "continue
// from the device's offset" or "authenticate again" are retried after a backoff, up to a number of attempts in a row.

import type { DeviceLink } from './device-link.ts';
import { DeviceRefusal } from './error-codes.ts';
import { sleep } from './throttle.ts';
import { LinkError } from './transport.ts';
import { UpdateError } from './update-error.ts';
import type { UpdateOptions } from './update-options.ts';
import type { ProgressReport, UpdatePhase } from './update-progress.ts';

const RETRYABLE_CODES = new Set(['offset-mismatch', 'chunk-corrupt', 'timeout', 'session-expired', 'unauthenticated', 'bad-mac', 'replayed', 'unknown-session', 'rate-limited']);
/** Refusals of the login itself: authenticate again before the next attempt. */
const LOGIN_CODES = new Set(['session-expired', 'unauthenticated', 'bad-mac', 'replayed']);

export class Retries {
  constructor(
    private readonly options: UpdateOptions,
    private readonly link: DeviceLink,
    private readonly progress: ProgressReport,
  ) {}

  /** Decides whether a failure is worth another attempt, waits the backoff, and returns the new failure count. */
  async afterFailure(err: Error, failures: number): Promise<number> {
    if (!isRetryable(err)) throw err;
    const attempt = failures + 1;
    if (attempt > (this.options.attempts ?? 8)) {
      throw new UpdateError(`Gave up after ${attempt - 1} attempts in a row without progress: ${err.message} Check the device's network and run the update again; it will resume.`, { cause: err });
    }
    if (err instanceof LinkError) this.link.closeLink();
    if (err instanceof DeviceRefusal && LOGIN_CODES.has(err.code)) this.link.forgetLogin();
    this.progress.report({ phase: 'retrying', attempt, reason: err.message });
    await sleep(this.backoff(err, attempt), this.options.signal);
    return attempt;
  }

  private backoff(err: Error, attempt: number): number {
    if (err instanceof DeviceRefusal && err.details.retryAfterSeconds !== undefined) return err.details.retryAfterSeconds * 1000;
    if (!(err instanceof LinkError)) return 0;
    const { first, max } = this.options.backoffMs ?? { first: 250, max: 8_000 };
    return Math.min(max, first * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
  }

  /** Runs one step of the update, again after each retryable failure. */
  async retrying<T>(phase: UpdatePhase, step: () => Promise<T>): Promise<T> {
    let failures = 0;
    while (true) {
      if (this.options.signal?.aborted) throw this.options.signal.reason;
      this.progress.report({ phase });
      try {
        return await step();
      } catch (err) {
        failures = await this.afterFailure(err instanceof Error ? err : new Error(String(err)), failures);
      }
    }
  }
}

function isRetryable(err: Error): boolean {
  if (err instanceof LinkError) return true;
  return err instanceof DeviceRefusal && RETRYABLE_CODES.has(err.code);
}
