// Send now, apply later: the time a technician types ("tonight at 02:00") read as this laptop's local time, and
// refused in words before a byte is sent when the device could not keep it (docs/protocol.md §5.1).
import { MAX_SCHEDULE_SECONDS } from '@fieldflash/protocol';
import { formatTime } from './device-format.ts';

export type ApplyAt = { ok: true; at: number | undefined } | { ok: false; message: string };

/** `value` is a datetime-local input's ("2026-12-03T02:00"); empty means now, as a plain update. */
export function parseApplyAt(value: string, now = Date.now()): ApplyAt {
  const text = value.trim();
  if (text === '') return { ok: true, at: undefined };
  // A date and time without an offset is local time (ECMAScript's date-time string form).
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(text) ? new Date(text).getTime() : Number.NaN;
  if (Number.isNaN(at)) return { ok: false, message: `"${text}" is not a date and time. Pick one in the "Apply at" field, or leave it empty to apply the update at once.` };
  if (at <= now) return { ok: false, message: `${formatTime(at)} has already passed. Choose a later time, or leave "Apply at" empty to apply the update as soon as it is sent.` };
  if (at - now > MAX_SCHEDULE_SECONDS * 1000) {
    return { ok: false, message: `${formatTime(at)} is more than 7 days ahead, further than a device keeps a scheduled reboot. Choose an earlier time, or send the update closer to it.` };
  }
  return { ok: true, at };
}

/** A datetime-local value for `ms`, in local time, to the minute. */
export function localInputValue(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
