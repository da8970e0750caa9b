// Who may use the compatibility endpoints (--compat): HTTP Basic credentials, as ESPHome's web_server and
// ElegantOTA ask for when authentication is configured. The user name is `admin` unless --compat-user says
// otherwise; the password is the device's pairing secret. Checked from the headers alone, before any body is read.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Authenticator } from './auth.ts';
import type { AgentConfig } from './config.ts';

/** The client id the compatibility uploads hold the device under, and count their guesses under. */
export const COMPAT_CLIENT_ID = 'compat-upload';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `Authorization: Basic …` names the compatibility user and the pairing secret. The secret is checked as a
 * login's proof is: against the stored key, counted against the requester's guesses (so Basic is no faster way to
 * guess), which may refuse with `rate-limited`.
 */
export async function hasCompatCredentials(headers: IncomingHttpHeaders, config: AgentConfig, auth: Authenticator, address: string): Promise<boolean> {
  const encoded = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (!encoded) return false;
  const given = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = given.indexOf(':');
  if (colon < 0) return false;
  const userMatches = timingSafeEqual(digest(given.slice(0, colon)), digest(config.compatUser));
  const secretMatches = await auth.checkSecret({ address, clientId: COMPAT_CLIENT_ID }, given.slice(colon + 1));
  return userMatches && secretMatches;
}

/**
 * Where a compatibility request comes from, by its Origin header: a tool or the device's own page (`own`), a web app
 * the device was told to admit with --compat-origin (`admitted`), or any other page (`foreign`). A web page may send
 * a form to the device, and the browser would add Basic credentials it remembers for the device; the tools that use
 * these endpoints (curl, esphome, ElegantOTA's own page on the device) send no foreign Origin. So a foreign one is
 * refused before anything else; an admitted one is a FieldFlash app the device's owner named.
 */
export function compatOrigin(headers: IncomingHttpHeaders, config: Pick<AgentConfig, 'compatOrigins'>): 'own' | 'admitted' | 'foreign' {
  const origin = headers.origin;
  if (origin === undefined) return 'own';
  if (config.compatOrigins.includes(origin)) return 'admitted';
  try {
    return new URL(origin).host === headers.host ? 'own' : 'foreign';
  } catch {
    return 'foreign';
  }
}
