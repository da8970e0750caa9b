// One line over every device's update in the view: how many ended which way and how many are still on their way.
import type { DeviceUpdateState } from './device-update.ts';

export interface UpdateCounts {
  confirmed: number;
  rolledBack: number;
  failed: number;
  /** Preparing, sending, verifying or in the test boot. */
  updating: number;
  /** Committed, waiting for the reboot the device scheduled. */
  scheduled: number;
  waiting: number;
}

export function countUpdates(updates: readonly DeviceUpdateState[]): UpdateCounts {
  const counts: UpdateCounts = { confirmed: 0, rolledBack: 0, failed: 0, updating: 0, scheduled: 0, waiting: 0 };
  for (const { stage } of updates) {
    if (stage === 'confirmed') counts.confirmed++;
    else if (stage === 'rolled-back') counts.rolledBack++;
    else if (stage === 'failed') counts.failed++;
    else if (stage === 'scheduled') counts.scheduled++;
    else if (stage === 'waiting') counts.waiting++;
    else counts.updating++;
  }
  return counts;
}

/** "3 confirmed, 1 rolled back, 0 failed, 2 updating, 2 waiting", and how many apply later when any do. */
export function summaryLine(counts: UpdateCounts): string {
  const later = counts.scheduled > 0 ? `, ${counts.scheduled} to apply later` : '';
  return `${counts.confirmed} confirmed, ${counts.rolledBack} rolled back, ${counts.failed} failed, ${counts.updating} updating, ${counts.waiting} waiting${later}`;
}
