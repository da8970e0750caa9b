// The boot simulation. A reboot takes the device off the network for a moment, boots the pending slot as a test
// boot (journaled first, so a device that dies now rolls back at its next start), and runs the health check with
// the image's slot, path and version in its environment: exit 0 confirms the image, anything else rolls it back.
// A reboot scheduled for later (§5.1) defers the test boot: a restart before its time boots the running image again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Authenticator } from './auth.ts';
import { type CommandResult, describeFailure, runCommand } from './commands.ts';
import { crashPoint } from './crash-points.ts';
import type { Device } from './device.ts';
import type { UpdateSessions } from './update-sessions.ts';

export interface Network {
  /** Stops answering: the listener closes and open connections drop. */
  down(): Promise<void>;
  up(): Promise<void>;
}

export class BootController {
  /** Test hook: the next health check exits with this code instead of running. */
  nextHealthCheckExit: number | null = null;
  /** Test hook: the next reboot loses power during the test boot. */
  powerCutDuringNextTestBoot = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly device: Device,
    private readonly sessions: UpdateSessions,
    private readonly auth: Authenticator,
    private readonly network: Network,
  ) {
    device.rebootSchedule.onDue = () => this.scheduledRebootDue();
  }

  get rebooting(): boolean {
    return this.running !== null;
  }

  /**
   * Answers the reboot request, then reboots once the reply is on its way. `reboot` is /reboot, which boots a
   * pending image now; `restart` is a restart as after a power cut, which leaves an image scheduled for later alone.
   */
  request(kind: 'reboot' | 'restart' = 'reboot'): { rebootingInMs: number } {
    this.run(() => this.reboot(kind));
    return { rebootingInMs: this.device.config.rebootMs };
  }

  /** The scheduled time has come: a commit under way finishes first, and may have ended the schedule (§5.1). */
  private scheduledRebootDue(): void {
    this.run(async () => {
      await this.sessions.settled();
      if (!this.device.rebootSchedule.due()) return;
      this.device.config.log('the scheduled reboot is due');
      await this.reboot('reboot');
    });
  }

  /**
   * At start: a slot still pending means the device restarted without /reboot (power lost, a crash, a watchdog).
   * Every restart with a pending slot is that slot's test boot (docs/protocol.md §5), as on hardware whose boot
   * slot was switched at commit, unless a reboot into it is scheduled for later (§5.1): the timer is armed instead.
   */
  started(): void {
    if (this.device.rebootSchedule.waiting()) this.device.rebootSchedule.arm();
    else if (this.device.store.pendingSlot) this.run(() => this.testBoot());
  }

  /** Stops the schedule's timer: the device is shutting down (its schedule stays in the journal). */
  stop(): void {
    this.device.rebootSchedule.disarm();
  }

  private run(step: () => Promise<void>): void {
    if (this.running) return;
    this.running = step()
      .catch((error: unknown) => this.device.config.log(`reboot failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running = null;
      });
  }

  /** Resolves when a reboot in progress, health check included, has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  private async reboot(kind: 'reboot' | 'restart'): Promise<void> {
    await sleep(50);
    this.device.rebootSchedule.disarm();
    await this.network.down();
    this.auth.forgetAll();
    this.sessions.restarted();
    // A reboot restarts the device: what it knows afterwards is what its disk holds.
    await this.device.powerCycle();
    const deferred = kind === 'restart' && this.device.rebootSchedule.waiting();
    await this.testBoot(true, deferred);
    if (deferred) this.device.rebootSchedule.arm();
  }

  /**
   * Boots the pending slot, if there is one, and lets the health check decide. After /reboot the device stays off
   * the network for rebootMs first; at start it is already on, having just booted.
   */
  private async testBoot(rebooting = false, deferred = false): Promise<void> {
    const { config } = this.device;
    const log = config.log;
    const trial = deferred ? null : this.device.store.beginTestBoot();
    log(trial ? `${rebooting ? 'rebooting' : 'started'} into slot ${trial.slot} (${trial.image.version}) for its test boot` : deferred ? 'restarting; the pending image waits for its scheduled reboot' : 'rebooting');
    crashPoint('reboot');
    if (rebooting) {
      await sleep(config.rebootMs);
      if (trial && this.powerCutDuringNextTestBoot) {
        this.powerCutDuringNextTestBoot = false;
        log('power lost during the test boot');
        await this.device.powerCycle();
        await this.network.up();
        return;
      }
      await this.network.up();
    }
    if (!trial) return;
    const result = await this.healthCheck(trial.slot, trial.image.version);
    if (result.code === 0) {
      this.device.store.confirmTestBoot();
      log(`${trial.image.version} passed its health check: slot ${trial.slot} confirmed`);
    } else {
      const reason = describeFailure('health check', result);
      this.device.store.rollBackTestBoot(reason);
      log(`${trial.image.version} rolled back to slot ${trial.previous}: ${reason}`);
    }
  }

  private async healthCheck(slot: 'a' | 'b', version: string): Promise<CommandResult> {
    if (this.nextHealthCheckExit !== null) {
      const code = this.nextHealthCheckExit;
      this.nextHealthCheckExit = null;
      return { code, output: code === 0 ? '' : 'failure requested through the test hook' };
    }
    const command = this.device.config.healthCheck;
    if (!command) return { code: 0, output: '' };
    return runCommand(command, { FIELDFLASH_SLOT: slot, FIELDFLASH_IMAGE: this.device.store.slotPath(slot), FIELDFLASH_VERSION: version });
  }
}
