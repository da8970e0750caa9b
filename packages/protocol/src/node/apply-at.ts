// How `npm run push -- --apply-at TIME` reads the technician's time, and how it prints one back.

/** `+90s`, `+15m`, `+8h`: from now. */
const RELATIVE = /^\+([0-9]{1,6})(s|m|h)$/;
/** `02:00`: the next time the local clock reads it. */
const CLOCK = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
/** `2026-12-03T02:00` (local time) or with seconds and a zone, `2026-12-03T02:00:00Z`, `…+01:00`. */
const DATE_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:[0-9]{2})?$/;

export const APPLY_AT_FORMS = 'HH:MM (the next time the clock reads it), YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM] (local time without a zone), or +N s|m|h';

/** The instant `text` names, or a sentence saying why it names none. */
export function parseApplyAt(text: string, now = new Date()): Date | string {
  const relative = RELATIVE.exec(text);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[relative[2] as 's' | 'm' | 'h'];
    return new Date(now.getTime() + Number(relative[1]) * unit);
  }
  const clock = CLOCK.exec(text);
  if (clock) {
    const at = new Date(now);
    at.setHours(Number(clock[1]), Number(clock[2]), 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    return at;
  }
  if (DATE_TIME.test(text)) {
    const at = new Date(text.replace(' ', 'T'));
    if (!Number.isNaN(at.getTime())) return at;
  }
  return `--apply-at ${text} is not a time: give ${APPLY_AT_FORMS}.`;
}

/** `2026-12-03 02:00:00 Europe/Berlin`: the local time and its zone, as a technician reads it. */
export function localTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day} ${time} ${Intl.DateTimeFormat().resolvedOptions().timeZone}`;
}
