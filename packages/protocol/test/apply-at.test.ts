// How push reads --apply-at: relative, a clock time (the next one), or a date and time; anything else says why.
import { describe, expect, it } from 'vitest';
import { parseApplyAt } from '../src/node/apply-at.ts';

describe('--apply-at', () => {
  const now = new Date(2026, 11, 2, 14, 30, 0);

  it('reads +N s|m|h from now', () => {
    expect(parseApplyAt('+90s', now)).toEqual(new Date(now.getTime() + 90_000));
    expect(parseApplyAt('+15m', now)).toEqual(new Date(now.getTime() + 900_000));
    expect(parseApplyAt('+8h', now)).toEqual(new Date(now.getTime() + 8 * 3_600_000));
  });

  it('reads HH:MM as the next time the local clock shows it', () => {
    expect(parseApplyAt('02:00', now)).toEqual(new Date(2026, 11, 3, 2, 0, 0));
    expect(parseApplyAt('15:00', now)).toEqual(new Date(2026, 11, 2, 15, 0, 0));
    expect(parseApplyAt('14:30', now)).toEqual(new Date(2026, 11, 3, 14, 30, 0));
  });

  it('reads a date and time, local without a zone', () => {
    expect(parseApplyAt('2026-12-03T02:00:00Z', now)).toEqual(new Date(Date.UTC(2026, 11, 3, 2)));
    expect(parseApplyAt('2026-12-03T03:00+01:00', now)).toEqual(new Date(Date.UTC(2026, 11, 3, 2)));
    expect(parseApplyAt('2026-12-03T02:00', now)).toEqual(new Date(2026, 11, 3, 2, 0, 0));
  });

  it('says why for anything else', () => {
    for (const text of ['tonight', '2:00', '24:00', '+5d', '2026-13-40T02:00', '2026-12-03', '-5m', '']) {
      expect(parseApplyAt(text, now), text).toMatch(/is not a time: give HH:MM/);
    }
  });
});
