// The messages of a scheduled reboot (docs/protocol.md §5.1, "send now, apply later"): the request that sets it,
// and the schedule the device reports, in its reply and in the device document.

import { Fields } from './fields.ts';

/** The capability a device lists when it keeps a scheduled reboot (§5.1); clients check it before asking for one. */
export const SCHEDULED_REBOOT = 'scheduled-reboot';

/** The furthest ahead a reboot may be scheduled: a week covers any apply window ("tonight", "Sunday night"). */
export const MAX_SCHEDULE_SECONDS = 7 * 24 * 3600;

/** An instant in RFC 3339 UTC, to the second: `2026-12-03T02:00:00Z`, nothing else, so small devices print and read it easily. */
export const UTC_INSTANT = /^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$/;

/** `PUT /scheduled-reboot`: reboot into the pending image this many seconds from when the device reads the request. */
export interface ScheduleRequest {
  /** The image to boot: the one this client committed, so that an image committed by another client meanwhile is refused. */
  sha256: string;
  inSeconds: number;
}

/** The scheduled reboot as the device keeps it: the reply to the PUT, and `scheduledReboot` in the device document. */
export interface ScheduledReboot {
  /** The pending image the reboot will test-boot. */
  sha256: string;
  /** When, by the device's own clock (RFC 3339 UTC): for people and logs; clients count with `inSeconds`. */
  at: string;
  /** Whole seconds left when the device answered, rounded up; 0 once due. */
  inSeconds: number;
}

export function parseScheduleRequest(json: unknown): ScheduleRequest {
  const f = new Fields(json, 'ScheduleRequest');
  return { sha256: f.sha256('sha256'), inSeconds: f.int('inSeconds', 1, MAX_SCHEDULE_SECONDS) };
}

export function parseScheduledReboot(json: unknown, path = 'ScheduledReboot'): ScheduledReboot {
  const f = new Fields(json, path);
  return {
    sha256: f.sha256('sha256'),
    at: f.string('at', { pattern: UTC_INSTANT, what: 'an RFC 3339 UTC time to the second, e.g. 2026-12-03T02:00:00Z' }),
    inSeconds: f.int('inSeconds', 0, MAX_SCHEDULE_SECONDS),
  };
}

/** `date` as the protocol writes instants: RFC 3339 UTC, whole seconds. */
export function utcInstant(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
