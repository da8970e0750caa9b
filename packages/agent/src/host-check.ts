// DNS rebinding (docs/protocol.md §7.3): a web page on an attacker's name that re-resolves to the device would
// otherwise be same-origin with it. A browser always sends the name it resolved in Host, so the device answers only
// requests addressed to an IP literal, localhost, or one of its own names.
import { isIPv4, isIPv6 } from 'node:net';

/** The names a device answers to besides IP literals: localhost, its mDNS name `<id>.local`, and --host-name ones. */
export function ownHostNames(deviceId: string, extra: readonly string[]): Set<string> {
  return new Set(['localhost', `${deviceId}.local`, ...extra].map(normalise));
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Whether a Host header names this device; a request without Host (HTTP/1.0, not a browser) passes. */
export function isOwnHost(host: string | undefined, names: ReadonlySet<string>): boolean {
  if (host === undefined) return true;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(host);
  if (bracketed) return isIPv6(bracketed[1]!);
  const match = /^([^:]+)(?::\d{1,5})?$/.exec(host);
  if (!match) return false;
  const name = normalise(match[1]!);
  return isIPv4(name) || names.has(name);
}
