// How the Devices view writes times, durations, speeds and transports for people.
import type { LanTransport, ReportTransport } from '../store/index.ts';
import { formatBytes } from '../library/format.ts';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatTime(ms: number): string {
  return timeFormat.format(ms);
}

export function formatSecondsLeft(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return 'estimating time left';
  if (s < 60) return `${Math.ceil(s)} s left`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s left`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export const TRANSPORT_LABEL: Record<LanTransport, string> = { http: 'HTTP', webrtc: 'WebRTC' };

/** How an update in the field report went: a protocol transport, or a compatibility upload. */
export const REPORT_TRANSPORT_LABEL: Record<ReportTransport, string> = { ...TRANSPORT_LABEL, esphome: 'ESPHome upload', elegantota: 'ElegantOTA upload' };

export function hostOf(url: string): string {
  return new URL(url).host;
}
