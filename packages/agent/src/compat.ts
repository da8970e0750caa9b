// Compatibility endpoints (--compat), the two upload forms most deployed devices speak, so FieldFlash's
// compatibility mode can be tested against a real receiver. Both write the uploaded file into the inactive slot
// through the same crash-safe path as a protocol update, then reboot into it like a normal update (test boot,
// health check, confirm or roll back). As the originals do with authentication configured, they need HTTP Basic
// credentials (compat-auth.ts), checked before the body is read; they respect another client's hold and a committed
// image waiting for its reboot; an ESP app image gets the checks an offer would (image-claims.ts), and the device
// then reports the version its app descriptor names, as a real device running that firmware would. Replies carry
// no CORS headers, so no web page can read them, except the pages of a web app named with --compat-origin.
//   ESPHome web_server: POST /update, multipart/form-data, one file part (field name not checked);
//     200 "Update Successful!" or 200 "Update Failed!", then the device reboots.
//   ElegantOTA v3: GET /ota/start?mode=fr&hash=<md5>, then POST /ota/upload multipart; 200 "OK" or 400 with the
//     reason; the MD5, when given, is checked at the end. mode=fs (filesystem image) is refused: no such partition.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import type { BootController } from './boot.ts';
import type { Authenticator } from './auth.ts';
import type { Device } from './device.ts';
import { fsyncDirectory, removeDurably } from './durable.ts';
import { AgentRefusal } from './errors.ts';
import { COMPAT_CLIENT_ID, compatOrigin, hasCompatCredentials } from './compat-auth.ts';
import { continueIfAsked, type ExtraRoutes, mustClose, sendReply } from './http-server.ts';
import { checkWithoutOffer, readImageFacts } from './image-claims.ts';
import type { ImageInfo } from './journal.ts';
import { multipartBoundary, readFilePart } from './multipart.ts';
import type { UpdateSessions } from './update-sessions.ts';

const COMPAT_CLIENT = COMPAT_CLIENT_ID;
const ELEGANT_START_TTL_MS = 5 * 60_000;

interface Received {
  path: string;
  image: ImageInfo;
  md5: string;
}

/** Streams the request's file part into a temp file in the upload directory, hashing it on the way. */
async function receive(device: Device, req: IncomingMessage, onProgress: () => void): Promise<Received> {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) throw new AgentRefusal('bad-request', 'The upload must be multipart/form-data with a file part.');
  const path = join(device.uploads.dir, `compat-${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(path, 'w');
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  try {
    await readFilePart(req as AsyncIterable<Uint8Array>, boundary, async (piece) => {
      onProgress();
      size += piece.length;
      if (size > device.config.maxImageSize) throw new AgentRefusal('too-large', `The image is larger than the ${device.config.maxImageSize} bytes this device holds.`);
      sha.update(piece);
      md5.update(piece);
      await file.write(piece);
    });
    if (size === 0) throw new AgentRefusal('bad-request', 'The uploaded file is empty.');
    await file.sync();
  } catch (error) {
    await file.close();
    removeDurably(path);
    throw error;
  }
  await file.close();
  fsyncDirectory(device.uploads.dir);
  const active = device.store.activeImage;
  const sha256 = sha.digest('hex');
  let facts;
  let security;
  try {
    facts = await readImageFacts(path);
    security = checkWithoutOffer(device, facts);
  } catch (error) {
    removeDurably(path);
    throw error;
  }
  // Foreign uploads come without an offer. An ESP app image names its version in its app descriptor; any other
  // file says nothing, and the device keeps its version, marked with the image it now runs.
  const version = semver.valid(facts?.version ?? '') ?? `${semver.parse(active.version)?.version ?? '0.0.0'}+compat.${sha256.slice(0, 12)}`;
  const counterSources = { sequence: device.counterSources.sequence, securityVersion: security.source };
  return { path, md5: md5.digest('hex'), image: { sha256, size, version, sequence: active.sequence, securityVersion: security.securityVersion, counterSources } };
}

/** A committed image waits for its reboot: a compatibility upload must not replace it behind the owner's back. */
function refuseIfPending(device: Device): void {
  const slot = device.store.pendingSlot;
  if (slot) throw new AgentRefusal('busy', `Slot ${slot} holds a committed image waiting for its reboot; reboot the device (or let its owner) first.`);
}

const COMPAT_PATHS = new Set(['/update', '/ota/start', '/ota/upload']);

/** The preflight of an admitted web app: the methods and headers a compatibility upload needs (Basic, multipart). */
function preflight(req: IncomingMessage, res: ServerResponse, deviceId: string): void {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': req.headers.origin!,
    Vary: 'Origin',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
    'Cache-Control': 'no-store',
  };
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['Access-Control-Allow-Private-Network'] = 'true';
    headers['Private-Network-Access-Name'] = deviceId;
  }
  res.writeHead(204, headers).end();
}

export function startCompat(device: Device, sessions: UpdateSessions, boot: BootController, auth: Authenticator): ExtraRoutes {
  let elegantStart: { md5: string | null; at: number } | null = null;
  const log = device.config.log;

  /** Receive, check, install as pending, reboot after the reply. Throws a refusal with the reason. */
  let receiving = false;
  const update = async (req: IncomingMessage, expectedMd5: string | null): Promise<void> => {
    if (boot.rebooting) throw new AgentRefusal('busy', 'The device is rebooting.');
    if (receiving) throw new AgentRefusal('busy', 'Another upload is being received.');
    refuseIfPending(device);
    sessions.take(COMPAT_CLIENT, 'compat');
    receiving = true;
    try {
      // Every piece renews the hold, and fails if another client took the device after a lapse.
      const received = await receive(device, req, () => sessions.take(COMPAT_CLIENT, 'compat'));
      if (expectedMd5 && received.md5 !== expectedMd5) {
        removeDurably(received.path);
        throw new AgentRefusal('digest-mismatch', `MD5 mismatch: expected ${expectedMd5}, received ${received.md5}`);
      }
      await sessions.install(received.path, received.image, async () => removeDurably(received.path));
      // The install step took time: the device must still be this upload's, with nothing committed meanwhile.
      try {
        sessions.take(COMPAT_CLIENT, 'compat');
        refuseIfPending(device);
      } catch (error) {
        removeDurably(received.path);
        throw error;
      }
      const slot = device.store.installPending(received.path, received.image);
      log(`compatibility upload of ${received.image.size} bytes committed into slot ${slot}`);
    } finally {
      receiving = false;
      // Only this upload's own hold: another client may have taken the device after it lapsed.
      if (sessions.holder()?.clientId === COMPAT_CLIENT) sessions.release();
    }
    boot.request();
  };

  const routes = new Set(['POST /update', 'GET /ota/start', 'POST /ota/upload']);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const origin = compatOrigin(req.headers, device.config);
    if (req.method === 'OPTIONS' && COMPAT_PATHS.has(url.pathname)) {
      // Only an admitted web app's preflight is granted; any other falls through to a 404 without CORS headers.
      if (origin !== 'admitted') return false;
      preflight(req, res, device.id);
      return true;
    }
    if (!routes.has(`${req.method} ${url.pathname}`)) return false;
    // No CORS headers, unless for an admitted web app: nothing here is for any other web page to read.
    const text = (status: number, body: string, headers: Record<string, string> = {}): void =>
      sendReply(req, res, { status, body, headers }, mustClose(req), origin === 'admitted');
    if (origin === 'foreign') {
      text(403, 'Uploads from a web page of another origin are refused.');
      return true;
    }
    let admitted: boolean;
    try {
      admitted = await hasCompatCredentials(req.headers, device.config, auth, (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, ''));
    } catch (error) {
      if (!(error instanceof AgentRefusal)) throw error;
      const retry = error.details.retryAfterSeconds;
      text(error.status, error.message, typeof retry === 'number' ? { 'Retry-After': String(retry) } : {});
      return true;
    }
    if (!admitted) {
      text(401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="FieldFlash device", charset="UTF-8"' });
      return true;
    }
    continueIfAsked(req, res);
    if (url.pathname === '/update' && req.method === 'POST') {
      try {
        await update(req, null);
        text(200, 'Update Successful!');
      } catch (error) {
        log(`ESPHome-style upload failed: ${error instanceof Error ? error.message : String(error)}`);
        text(200, 'Update Failed!');
      }
      return true;
    }
    if (url.pathname === '/ota/start' && req.method === 'GET') {
      const mode = url.searchParams.get('mode') ?? 'fr';
      const hash = url.searchParams.get('hash');
      if (mode !== 'fr') {
        text(400, 'Failed to start update process: this device has no filesystem partition (mode=fs)');
      } else if (hash !== null && hash !== '' && !/^[0-9a-fA-F]{32}$/.test(hash)) {
        text(400, 'MD5 parameter invalid');
      } else {
        elegantStart = { md5: hash ? hash.toLowerCase() : null, at: Date.now() };
        text(200, 'OK');
      }
      return true;
    }
    if (url.pathname === '/ota/upload' && req.method === 'POST') {
      const start = elegantStart;
      elegantStart = null;
      if (!start || Date.now() - start.at > ELEGANT_START_TTL_MS) {
        text(400, 'Update not started: call /ota/start first');
        return true;
      }
      try {
        await update(req, start.md5);
        text(200, 'OK');
      } catch (error) {
        text(400, error instanceof Error ? error.message : String(error));
      }
      return true;
    }
    return false;
  };
}
