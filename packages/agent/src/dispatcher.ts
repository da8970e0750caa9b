// One dispatcher behind both transports: HTTP and the WebRTC data channel hand it the same requests and frame
// its replies in their own way. Routes follow docs/protocol.md; refusals come back as { error: { code, message } }.
import { API_BASE, MessageError, parseAuthRequest, parseChallengeRequest, parseScheduleRequest, parseUpdateOffer, parseWebRtcOffer, PROTOCOL_VERSION, type WebRtcAnswer, type WebRtcOffer } from '@fieldflash/protocol';
import type { Authenticator, LoginGrant } from './auth.ts';
import type { BootController } from './boot.ts';
import type { Device } from './device.ts';
import { AgentRefusal } from './errors.ts';
import { allowedMethods, allowHeader } from './routes.ts';
import type { UpdateSessions } from './update-sessions.ts';

export interface AgentRequest {
  method: string;
  /** The path without query. */
  path: string;
  query: URLSearchParams;
  headers: { authorization?: string; clientId?: string; protocol?: string; digest?: string };
  /** The request target as received (path and query), which the request's MAC covers. */
  target?: string;
  /** The peer's network address: challenges and guess limits are per requester. */
  remoteAddress?: string;
  /** The login whose session key signed the request, set by authenticate() before the body is read. */
  login?: LoginGrant;
  /** The parsed JSON body, if any; an empty body is none. */
  json?: unknown;
  /** Why the body is not JSON: refused with 400 after authentication, as every syntax error is (§1.2). */
  /** A chunk's bytes (checked against `headers.digest`). */
  bytes?: Uint8Array;
  /** The rest of an image streamed in one request without Content-Digest (HTTP only). */
  stream?: AsyncIterable<Uint8Array>;
  /** Set by the data channel: the client bound to the channel at signaling, whose requests carry no MAC. */
  channelClientId?: string;
}

export interface AgentReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Signaling {
  answer(grant: LoginGrant, offer: WebRtcOffer): Promise<WebRtcAnswer>;
}

/** The requests anyone may make: what the device is, and logging in. Everything else needs a signed request. */
const PUBLIC_PATHS = new Set([`${API_BASE}/device`, `${API_BASE}/auth/challenge`, `${API_BASE}/auth/response`]);

const UPDATE = new RegExp(`^${API_BASE}/updates/([0-9a-f]{64})(/commit)?$`);
/** An offset in a query: decimal digits, no sign, no leading zero but for "0", at most 15 digits (below 2^53). */
const OFFSET = /^(?:0|[1-9][0-9]{0,14})$/;

function ok(body: unknown, status = 200): AgentReply {
  return { status, body };
}

export class Dispatcher {
  signaling: Signaling | null = null;

  constructor(
    private readonly device: Device,
    private readonly auth: Authenticator,
    private readonly sessions: UpdateSessions,
    private readonly boot: BootController,
  ) {}

  async handle(request: AgentRequest): Promise<AgentReply> {
    try {
      return await this.route(request);
    } catch (error) {
      if (error instanceof AgentRefusal) {
        const headers: Record<string, string> = { ...error.headers };
        if (typeof error.details.retryAfterSeconds === 'number') headers['Retry-After'] = String(error.details.retryAfterSeconds);
        return { status: error.status, body: error.body, headers };
      }
      if (error instanceof MessageError) return { status: 400, body: new AgentRefusal('bad-request', `The request is malformed: ${error.message}.`).body };
      // One line, no stack trace: the log is read by people, and a client's request never earns more than this.
      this.device.config.log(`internal error on ${request.method} ${request.path}: ${error instanceof Error ? error.message : String(error)}`);
      return { status: 500, body: { error: { code: 'internal', message: `The device failed to handle the request: ${error instanceof Error ? error.message : String(error)}.` } } };
    }
  }

  private checkProtocol(header: string | undefined): void {
    if (header === undefined) return;
    const major = Number.parseInt(header, 10);
    if (major !== PROTOCOL_VERSION) {
      throw new AgentRefusal('unsupported-protocol', `This device speaks FieldFlash protocol version ${PROTOCOL_VERSION}, not ${header}.`, { supported: [PROTOCOL_VERSION] });
    }
  }

  /**
   * Authenticates an HTTP request from its headers alone (docs/protocol.md §3.3), before its body is read, so a
   * stranger's upload is refused without being received. Sets `request.login`; throws the refusal otherwise.
   */
  authenticate(request: AgentRequest): void {
    if (request.channelClientId || PUBLIC_PATHS.has(request.path)) return;
    request.login = this.auth.verify({
      authorization: request.headers.authorization,
      clientId: request.headers.clientId,
      method: request.method,
      target: request.target ?? request.path,
      digest: request.headers.digest ?? '',
    });
  }

  /**
   * Everything the head of an HTTP request decides, checked before its body is read: the protocol version, then
   * authentication for every path that needs it. The transport reads the body only after this passes.
   */
  admit(request: AgentRequest): void {
    this.checkProtocol(request.headers.protocol);
    this.checkRoute(request);
    this.authenticate(request);
  }

  /** 404 for a path the device does not have, 405 (with Allow) for a method its path does not answer (§1.2). */
  private checkRoute(request: AgentRequest): void {
    const { method, path } = request;
    const methods = allowedMethods(path, { webrtc: this.signaling !== null, testHooks: this.device.config.testHooks });
    if (!methods) throw new AgentRefusal('bad-request', `The device has no ${path}.`, {}, 404);
    if (!methods.includes(method)) {
      const refusal = new AgentRefusal('bad-request', `${path} answers ${methods.join(', ')}, not ${method}.`, {}, 405);
      refusal.headers.Allow = allowHeader(methods);
      throw refusal;
    }
  }

  private client(request: AgentRequest): { clientId: string; grant?: LoginGrant } {
    if (request.channelClientId) return { clientId: request.channelClientId };
    if (!request.login) this.authenticate(request);
    const grant = request.login!;
    return { clientId: grant.clientId, grant };
  }

  /** Where a request came from: challenges and guess limits are kept per address and client id. */
  private address(request: AgentRequest): string {
    return request.remoteAddress ?? (request.channelClientId ? 'data-channel' : 'unknown');
  }

  /**
   * The order of checks of docs/protocol.md §1.2, the same for every endpoint: protocol version, route (404, 405),
   * authentication, syntax of query and body, then busy and the endpoint's own checks, in the update sessions.
   */
  private async route(request: AgentRequest): Promise<AgentReply> {
    this.checkProtocol(request.headers.protocol);
    this.checkRoute(request);
    const { method, path } = request;
    const sessions = this.sessions;
    if (path === `${API_BASE}/device`) return ok(this.device.document());
    const authenticating = path.startsWith(`${API_BASE}/auth/`);
    const caller = authenticating ? undefined : this.client(request);
    if (path === `${API_BASE}/auth/challenge`) return ok(this.auth.challenge({ address: this.address(request), clientId: parseChallengeRequest(request.json).clientId }));
    if (path === `${API_BASE}/auth/response`) return ok(await this.auth.respond(this.address(request), parseAuthRequest(request.json)));

    const { clientId, grant } = caller!;
    // A reboot asked again while rebooting is answered as the first was; slot changes wait for the verdict.
    const rebooting = (): void => {
      if (this.boot.rebooting) throw new AgentRefusal('busy', 'The device is rebooting (and running the health check of a new image, if one was pending). Wait until the device document shows the verdict, then try again.');
    };
    if (path === `${API_BASE}/updates`) {
      const offer = parseUpdateOffer(request.json);
      rebooting();
      return ok(await sessions.offer(clientId, offer));
    }
    const update = UPDATE.exec(path);
    if (update && !update[2]) {
      const sha256 = update[1]!;
      if (method === 'GET') return ok(sessions.status(clientId, sha256));
      if (method === 'DELETE') {
        await sessions.cancel(clientId, sha256);
        return { status: 204 };
      }
      const offsets = request.query.getAll('offset');
      if (offsets.length !== 1 || !OFFSET.test(offsets[0]!)) {
        throw new AgentRefusal('bad-request', 'A chunk needs ?offset=N, the byte position where it belongs, in decimal digits (no sign, no leading zeros, at most 15 digits).');
      }
      const offset = Number(offsets[0]);
      rebooting();
      if (request.stream && request.headers.digest === undefined) return ok(await sessions.stream(clientId, sha256, offset, request.stream));
      return ok(await sessions.chunk(clientId, sha256, offset, request.headers.digest, request.bytes ?? new Uint8Array()));
    }
    if (update?.[2]) {
      rebooting();
      return ok(await sessions.commit(clientId, update[1]!));
    }
    if (path === `${API_BASE}/reboot`) return ok(this.boot.request(), 202);
    if (path === `${API_BASE}/scheduled-reboot`) {
      // Any authenticated client, without the hold: a schedule touches no upload (§5.1).
      if (method === 'DELETE') {
        this.device.rebootSchedule.cancel();
        return { status: 204 };
      }
      const { sha256, inSeconds } = parseScheduleRequest(request.json);
      rebooting();
      return ok(this.device.rebootSchedule.set(sha256, inSeconds));
    }
    if (path === `${API_BASE}/webrtc/offer`) {
      const offer = parseWebRtcOffer(request.json);
      if (!grant) throw new AgentRefusal('bad-request', 'Open another data channel over HTTP, not over a data channel.');
      return ok(await this.signaling!.answer(grant, offer));
    }
    return this.testHook(request, grant);
  }

  /**
   * Shortens (or restores) the device's timers so a conformance run sees a hold lapse in a second, not in 30 s.
   * The reply is the timers in effect before, so the suite can put them back.
   */
  private timeouts(body: Record<string, unknown>): Record<string, number> {
    const config = this.device.config;
    const before = { holdIdleSeconds: config.idleTimeoutMs / 1000, holdTotalSeconds: config.totalTimeoutMs / 1000 };
    const seconds = (name: keyof typeof before): number | undefined => {
      const value = body[name];
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !(value > 0) || value > 86_400) throw new AgentRefusal('bad-request', `timeouts: ${name} must be a number of seconds from 0 to 86400.`);
      return value * 1000;
    };
    const idle = seconds('holdIdleSeconds');
    const total = seconds('holdTotalSeconds');
    if (idle !== undefined) config.idleTimeoutMs = idle;
    if (total !== undefined) config.totalTimeoutMs = total;
    return before;
  }

  /** Test hooks, only with --test-hooks: let a conformance suite make the device fail on purpose. */
  private testHook(request: AgentRequest, grant: LoginGrant | undefined): AgentReply {
    const body = (request.json ?? {}) as Record<string, unknown>;
    switch (request.path.slice(`${API_BASE}/test/`.length)) {
      case 'health-check': {
        const exitCode = body.exitCode;
        if (typeof exitCode !== 'number' || !Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) {
          throw new AgentRefusal('bad-request', 'health-check needs {"exitCode": 0..255}.');
        }
        this.boot.nextHealthCheckExit = exitCode;
        return ok({ nextHealthCheckExit: exitCode });
      }
      case 'power-cut':
        this.boot.powerCutDuringNextTestBoot = true;
        return ok({ powerCutDuringNextTestBoot: true });
      case 'restart':
        // Not /reboot: the device restarts as after a power cut or a crash, which test-boots a pending slot too.
        return ok(this.boot.request('restart'), 202);
      case 'timeouts':
        return ok(this.timeouts(body));

      case 'expire-session':
        if (grant) this.auth.expireSession(grant.sessionId);
        return ok({ expired: Boolean(grant) });
      case 'expire-challenges':
        this.auth.expireChallenges();
        return ok({ expired: true });
      default:
        throw new AgentRefusal('bad-request', `There is no test hook ${request.path}.`, {}, 404);
    }
  }
}
