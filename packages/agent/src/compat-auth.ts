// Who may use the compatibility endpoints (--compat): HTTP Basic credentials, as ESPHome's web_server and
// ElegantOTA ask for when authentication is configured. The user name is `admin` unless --compat-user says
// otherwise; the password is the device's pairing secret. Checked from the headers alone, before any body is read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AgentConfig } from './config.ts';

/** The one place the compatibility endpoints learn the pairing secret. */
function pairingSecret(config: AgentConfig): string {
  return config.password;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Whether `Authorization: Basic …` names the compatibility user and the pairing secret (compared in constant time). */
export function hasCompatCredentials(headers: IncomingHttpHeaders, config: AgentConfig): boolean {
  const encoded = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (!encoded) return false;
  const given = Buffer.from(encoded, 'base64').toString('utf8');
  return timingSafeEqual(digest(given), digest(`${config.compatUser}:${pairingSecret(config)}`));
}

/**
 * A web page may send a form to the device, and the browser would add Basic credentials it remembers for the
 * device; the tools that use these endpoints (curl, esphome, ElegantOTA's own page on the device) send no foreign
 * Origin. So a request whose Origin is not the device's own is refused before anything else.
 */
export function isCrossOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}
