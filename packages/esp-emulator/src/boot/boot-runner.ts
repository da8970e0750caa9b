// Plays a boot plan out over time and stops the moment the chip is reset or loses power.
import type { AppDescription } from '@fieldflash/bundle';
import type { BootPlan } from './boot-log.ts';
import type { ResetCause } from './rom-banner.ts';

export interface BootOutput {
  print(text: string): void;
  running(app: AppDescription | undefined): void;
  selfReset(cause: ResetCause): void;
}

export class BootRunner {
  private generation = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  /** Cancels whatever boot is playing. */
  cancel(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Starts a boot; `plan` is awaited so a reset during planning also wins. */
  run(plan: Promise<BootPlan>, out: BootOutput): void {
    this.cancel();
    const generation = this.generation;
    const alive = (): boolean => generation === this.generation;
    void plan.then(async (p) => {
      for (const step of p.steps) {
        if (step.afterMs > 0) await this.sleep(step.afterMs);
        if (!alive()) return;
        if (step.text) out.print(step.text);
      }
      const then = p.then;
      if (then.kind === 'running') return out.running(then.app);
      await this.sleep(then.afterMs);
      if (alive()) out.selfReset(then.cause);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      // A chip looping through boot attempts must not keep a Node process alive on its own.
      (timer as { unref?: () => void }).unref?.();
      this.timers.add(timer);
    });
  }
}
