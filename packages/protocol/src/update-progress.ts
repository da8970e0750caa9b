// What an update reports while it runs: the phase it is in, where the device is, and the bytes put on the wire.
import type { TreeDeltaSummary } from './tree-image.ts';

export type UpdatePhase =
  | 'reading'
  | 'authenticating'
  | 'connecting'
  | 'offering'
  | 'sending'
  | 'retrying'
  | 'committing'
  | 'rebooting'
  /** Asking the device to reboot into the image later (`applyAt`, docs/protocol.md §5.1). */
  | 'scheduling'
  /** Committed; the device reboots into the image at `appliesAt`. */
  | 'scheduled'
  | 'waiting'
  | 'done';

export interface UpdateProgress {
  phase: UpdatePhase;
  /**
   * Where the device is: bytes it has acknowledged. While the rest of the image goes in one request (§4.6), the
   * offset the device gives when asked, every second; `sentBytes` counts the bytes as they go.
   */
  offset: number;
  size: number;
  /** The image being sent, once the device has chosen it. */
  sha256?: string;
  slot?: string;
  /** Bytes put on the wire in this update, retransmissions included. */
  sentBytes: number;
  /** For `retrying`: the attempt number and why. */
  attempt?: number;
  reason?: string;
  /** From `scheduled` on: when the device reboots into the image (ms since the epoch, this client's clock). */
  appliesAt?: number;
  /** A source-tree update, once the delta against the device's files is known: what it sends and what it saves. */
  tree?: TreeDeltaSummary;
}

/** The progress so far; each change goes to the caller's `onProgress`. `attempt` and `reason` belong to `retrying` only. */
export class ProgressReport {
  current: UpdateProgress = { phase: 'reading', offset: 0, size: 0, sentBytes: 0 };

  constructor(private readonly listener: { onProgress?(progress: UpdateProgress): void }) {}

  report(change: Partial<UpdateProgress>): void {
    this.current = { ...this.current, ...change };
    if (this.current.phase !== 'retrying') {
      delete this.current.attempt;
      delete this.current.reason;
    }
    this.listener.onProgress?.(this.current);
  }
}
