// "Apply at": the technician's local time read before a byte is sent, and refused in words when a device could not keep it.
import { describe, expect, test } from 'vitest';
import { localInputValue, parseApplyAt } from '../../src/devices/apply-at.ts';

const now = new Date(2026, 11, 3, 14, 0).getTime();

describe('apply at', () => {
  test('empty is now; a local date and time ahead is that instant', () => {
    expect(parseApplyAt('', now)).toEqual({ ok: true, at: undefined });
    expect(parseApplyAt('2026-12-04T02:00', now)).toEqual({ ok: true, at: new Date(2026, 11, 4, 2, 0).getTime() });
    expect(localInputValue(new Date(2026, 11, 4, 2, 0, 30).getTime())).toBe('2026-12-04T02:00');
  });

  test('a time passed, more than 7 days ahead, or not a time is refused with what to do', () => {
    const passed = parseApplyAt('2026-12-03T13:59', now);
    expect(passed.ok).toBe(false);
    expect(!passed.ok && passed.message).toMatch(/has already passed\. Choose a later time, or leave "Apply at" empty/);
    const far = parseApplyAt('2026-12-10T14:01', now);
    expect(!far.ok && far.message).toMatch(/is more than 7 days ahead, further than a device keeps a scheduled reboot/);
    expect(parseApplyAt('2026-12-10T14:00', now).ok).toBe(true);
    const garbage = parseApplyAt('tonight', now);
    expect(!garbage.ok && garbage.message).toBe('"tonight" is not a date and time. Pick one in the "Apply at" field, or leave it empty to apply the update at once.');
  });
});
