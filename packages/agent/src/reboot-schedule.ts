// Send now, apply later (docs/protocol.md §5.1): a reboot into the pending image at a chosen time. The journal keeps
// the schedule (slot-store.ts), so it survives restarts and ends with the image it was set for; this module arms
// the timer that fires it and answers the requests that set and cancel it.
import { type ScheduledReboot, utcInstant } from '@fieldflash/protocol';
import { AgentRefusal } from './errors.ts';
import type { SlotStore } from './slot-store.ts';

/** What the schedule needs of the device: its slot store (read when fired, as the device may reopen it) and its log. */
export interface ScheduledDevice {
  readonly store: SlotStore;
  readonly config: { log(line: string): void };
}

export class RebootSchedule {
  private timer: NodeJS.Timeout | null = null;
  /** Called when the schedule's time has come; the boot controller reboots the device then. */
  onDue: () => void = () => {};

  constructor(
    private readonly device: ScheduledDevice,
    private readonly now: () => number = Date.now,
  ) {}

  /** The schedule as the device document and the PUT reply show it, or undefined when none is set. */
  describe(): ScheduledReboot | undefined {
    const schedule = this.device.store.scheduledReboot;
    if (!schedule) return undefined;
    const left = Math.max(0, Math.ceil((schedule.at - this.now()) / 1000));
    return { sha256: schedule.sha256, at: utcInstant(new Date(schedule.at)), inSeconds: left };
  }

  /** A schedule is set and its time has not come: a restart now boots the running image again (§5.1). */
  waiting(): boolean {
    const schedule = this.device.store.scheduledReboot;
    return schedule !== null && schedule.at > this.now();
  }

  /** A schedule is set and its time has come. */
  due(): boolean {
    const schedule = this.device.store.scheduledReboot;
    return schedule !== null && schedule.at <= this.now();
  }

  /** PUT: (re)schedules the reboot into the pending image `sha256` `inSeconds` from now, durably, and arms the timer. */
  set(sha256: string, inSeconds: number): ScheduledReboot {
    const at = this.now() + inSeconds * 1000;
    if (!this.device.store.scheduleReboot(sha256, at)) {
      const slot = this.device.store.pendingSlot;
      const pending = slot ? this.device.store.journal.slots[slot] : undefined;
      const now = pending && pending.state !== 'empty' ? `the image waiting for its test boot is ${pending.version} (${pending.sha256.slice(0, 12)}…)` : 'no image waits for its test boot';
      throw new AgentRefusal('not-pending', `The device cannot reboot into ${sha256.slice(0, 12)}… later: ${now}. Commit the image first.`);
    }
    this.device.config.log(`reboot into the pending image scheduled for ${utcInstant(new Date(at))} (in ${inSeconds} s)`);
    this.arm();
    return this.describe()!;
  }

  /** DELETE: no reboot stays scheduled; the image stays pending. */
  cancel(): void {
    if (this.device.store.scheduledReboot) this.device.config.log('scheduled reboot cancelled; the image stays pending');
    this.device.store.cancelScheduledReboot();
    this.disarm();
  }

  /** Sets the timer from the journal's schedule, if there is one: after a set, and after every start. */
  arm(): void {
    this.disarm();
    const schedule = this.device.store.scheduledReboot;
    if (!schedule) return;
    // The furthest schedule, 7 days, fits setTimeout's 2^31 ms; a device clock set back later only delays it.
    this.timer = setTimeout(() => {
      this.timer = null;
      // Timers count from the event loop's cached time, which lags the clock after slow work (an fsync): one may
      // fire a few milliseconds before `at`, and then waits out the rest instead of being lost.
      if (this.waiting()) this.arm();
      else this.onDue();
    }, Math.max(0, schedule.at - this.now()));
    this.timer.unref();
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
