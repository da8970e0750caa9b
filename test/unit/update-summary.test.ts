// The Devices view's summary line over every device's update.
import { describe, expect, test } from 'vitest';
import type { DeviceUpdateState, UpdateStage } from '../../src/devices/device-update.ts';
import { countUpdates, summaryLine } from '../../src/devices/update-summary.ts';

const at = (stage: UpdateStage): DeviceUpdateState => ({ release: { id: 'r', name: 'demo 1.0.0' }, resumed: false, stage, downgrade: false });

describe('the updates summary', () => {
  test('counts ends and runs, folding the running phases into "updating"', () => {
    const stages: UpdateStage[] = ['confirmed', 'confirmed', 'confirmed', 'rolled-back', 'sending', 'test-boot', 'preparing', 'waiting', 'waiting'];
    expect(summaryLine(countUpdates(stages.map(at)))).toBe('3 confirmed, 1 rolled back, 0 failed, 3 updating, 2 waiting');
  });

  test('names the updates applied later only when there are some', () => {
    expect(summaryLine(countUpdates(['scheduled', 'verifying', 'failed'].map((s) => at(s as UpdateStage))))).toBe(
      '0 confirmed, 0 rolled back, 1 failed, 1 updating, 0 waiting, 1 to apply later',
    );
  });
});
