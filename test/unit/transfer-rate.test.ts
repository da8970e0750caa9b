// Speed and time left of an update: from the device's acknowledged offset over the last few seconds.
import { describe, expect, test } from 'vitest';
import { RateMeter } from '../../src/devices/transfer-rate.ts';

describe('the rate meter', () => {
  test('gives bytes per second over the window and the time left at that speed, once a second has been seen', () => {
    const meter = new RateMeter();
    expect(meter.add(0, 1000, 0)).toEqual({ bytesPerSecond: undefined, secondsLeft: undefined });
    // The first window of chunks leaves at once: no speed from that alone.
    expect(meter.add(50, 1000, 100)).toEqual({ bytesPerSecond: undefined, secondsLeft: undefined });
    expect(meter.add(100, 1000, 1000)).toEqual({ bytesPerSecond: 100, secondsLeft: 9 });
    expect(meter.add(300, 1000, 2000)).toEqual({ bytesPerSecond: 150, secondsLeft: 700 / 150 });
  });

  test('forgets samples older than the window, so a stall shows as a falling speed', () => {
    const meter = new RateMeter();
    meter.add(0, 10_000, 0);
    meter.add(5_000, 10_000, 1000);
    // Nothing acknowledged for 4 s: the window now starts at the last progress, and the speed is 0.
    const stalled = meter.add(5_000, 10_000, 5000);
    expect(stalled.bytesPerSecond).toBe(0);
    expect(stalled.secondsLeft).toBeUndefined();
  });
});
