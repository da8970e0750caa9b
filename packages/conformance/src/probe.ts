// The suite's own view of a device: raw requests where a check needs to misbehave on purpose (no login, another
// client id, a wrong digest, a replayed MAC), built on packages/protocol for everything a well-behaved client does.
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import {
  API_BASE,
  clientProof,
  contentDigest,
  deriveKey,
  type DeviceDocument,
  deviceProof,
  parseAuthReply,
  parseChallenge,
  parseDeviceDocument,
  parseUpdateOffer,
  randomBase64,
  RequestSigner,
  sameProof,
  sessionKey,
  type UpdateOffer,
} from '@fieldflash/protocol';
import type { SigningKey } from '@fieldflash/bundle';
import semver from 'semver';
import { signOffer } from './release-signer.ts';

export interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  bytes?: Uint8Array;
  /** Signs the request with this login (docs/protocol.md §3.3); its client id goes in FieldFlash-Client. */
  session?: Session;
  /** FieldFlash-Client, when it should differ from the session's (or there is no session). */
  clientId?: string;
  headers?: Record<string, string>;
}

/** A request as it goes on the wire: what a check can capture and send again. */
export interface WireRequest {
  method: string;
  /** Path and query, e.g. /fieldflash/v1/updates/…?offset=0. */
  target: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface Image {
  bytes: Uint8Array;
  sha256: string;
}

export function makeImage(size: number): Image {
  const bytes = new Uint8Array(randomBytes(size));
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export class Probe {
  private keys = new Map<string, Promise<Uint8Array>>();
  private pool = new Agent({ keepAlive: true, maxSockets: 1, maxTotalSockets: 1 });
  /**
   * With --signing-key on a device that lists signed-releases: every offer a check sends without `release` gets one,
   * claiming what the offer claims, so each check tests its own rule on such a device too (§4.9).
   */
  releaseKey: SigningKey | undefined;

  constructor(
    readonly url: string,
    readonly password: string,
  ) {}

  /** The request `raw` would send, signed when it has a session, without sending it. */
  async prepare(method: string, path: string, options: RequestOptions = {}): Promise<WireRequest> {
    const target = path.startsWith('/') ? path : `${API_BASE}/${path}`;
    const headers: Record<string, string> = { 'FieldFlash-Protocol': '1' };
    const clientId = options.clientId ?? options.session?.clientId;
    if (clientId) headers['FieldFlash-Client'] = clientId;
    let body: Uint8Array | undefined;
    if (options.bytes) {
      body = options.bytes;
      headers['Content-Type'] = 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = new TextEncoder().encode(JSON.stringify(options.body));
      headers['Content-Type'] = 'application/json';
      if (options.session) headers['Content-Digest'] = await contentDigest(body);
    }
    Object.assign(headers, options.headers);
    if (options.session && headers.Authorization === undefined) {
      headers.Authorization = await options.session.signer.authorization(method, target, headers['Content-Digest'] ?? '');
    }
    return { method, target, headers, ...(body ? { body } : {}) };
  }

  async raw(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    try {
      return await this.send(await this.prepare(method, path, options));
    } catch (error) {
      // A kept-alive connection the device closed as idle just as the request went out: the device never read it, so
      // it goes again, signed anew, as §1.3 asks of every client (Node's documented reusedSocket pattern).
      if (!(error instanceof StaleConnection) || !IDEMPOTENT.has(method)) throw error;
      return this.send(await this.prepare(method, path, options));
    }
  }

  /** Sends a prepared request over the suite's pooled connections. */
  send(request: WireRequest): Promise<Reply> {
    return exchange(`${this.url}${request.target}`, request, this.pool);
  }

  /** Sends a prepared request on a connection of its own, as another machine on the network would. */
  sendAlone(request: WireRequest): Promise<Reply> {
    return exchange(`${this.url}${request.target}`, { ...request, headers: { ...request.headers, Connection: 'close' } }, false);
  }

  /**
   * Keeps the suite's own requests within the connections the device announces (§1.3), leaving one for the checks
   * that open connections of their own, as any client must: a device at its cap closes idle connections.
   */
  limitConnections(maxConnections: number): void {
    const sockets = Math.max(1, maxConnections - 1);
    if (this.pool.maxSockets === sockets) return;
    this.pool.destroy();
    this.pool = new Agent({ keepAlive: true, maxSockets: sockets, maxTotalSockets: sockets });
  }

  async device(): Promise<DeviceDocument> {
    const reply = await this.raw('GET', `${API_BASE}/device`);
    if (reply.status !== 200) throw new Error(`GET /device answered ${reply.status}`);
    const doc = parseDeviceDocument(reply.body);
    this.limitConnections(doc.maxConnections);
    return doc;
  }

  /** Lets go of the pooled connections, so the process can end. */
  close(): void {
    this.pool.destroy();
  }

  key(salt: string, iterations: number, password = this.password): Promise<Uint8Array> {
    const id = `${password}\n${salt}\n${iterations}`;
    if (!this.keys.has(id)) this.keys.set(id, deriveKey(password, salt, iterations));
    return this.keys.get(id)!;
  }

  /** Authenticates as `clientId`, checking the device's own proof; returns a session for authenticated requests. */
  async login(clientId: string): Promise<Session> {
    const challenge = parseChallenge(expectOk(await this.raw('POST', `${API_BASE}/auth/challenge`, { body: { clientId } }), 'the challenge'));
    const key = await this.key(challenge.salt, challenge.kdf.iterations);
    const input = { challengeId: challenge.challengeId, nonce: challenge.nonce, clientId, clientNonce: randomBase64(16) };
    const reply = parseAuthReply(expectOk(await this.raw('POST', `${API_BASE}/auth/response`, { body: { ...input, proof: await clientProof(key, input) } }), 'the password proof'));
    if (!sameProof(reply.deviceProof, await deviceProof(key, input))) throw new Error('the device\'s proof does not match: it does not know the password');
    return new Session(this, clientId, reply.sessionId, reply.expiresIn, await sessionKey(key, challenge.challengeId, input.clientNonce));
  }
}

const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);

/** A reply as the checks read it: status, headers, and the body parsed when it is JSON (text otherwise). */
export function replyOf(res: IncomingMessage, parts: readonly Buffer[]): Reply {
  const text = Buffer.concat(parts).toString('utf8');
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // a text body stays text
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  return { status: res.statusCode ?? 0, body, headers };
}

/** A request written on a kept-alive connection that the device had just closed: it never reached the device. */
class StaleConnection extends Error {
  constructor(cause: Error) {
    super(`the kept-alive connection was closed by the device before the request reached it (${cause.message})`, { cause });
  }
}

/** One HTTP exchange over `agent` (false: a connection of its own); the reply's JSON body parsed when it is JSON. */
function exchange(url: string, request: WireRequest, agent: Agent | false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: request.method,
      agent,
      headers: { ...request.headers, 'Content-Length': String(request.body?.length ?? 0) },
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(req.reusedSocket && error.code === 'ECONNRESET' ? new StaleConnection(error) : error));
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => resolve(replyOf(res, parts)));
    });
    req.end(request.body);
  });
}

export class Session {
  /** Signs this login's requests with a counter that only grows. */
  readonly signer: RequestSigner;

  constructor(
    readonly probe: Probe,
    readonly clientId: string,
    readonly sessionId: string,
    readonly expiresIn: number,
    readonly sessionKey: Uint8Array,
  ) {
    this.signer = new RequestSigner(sessionId, sessionKey);
  }

  /**
   * The headers that authenticate one raw request of this login (its MAC covers method, target and Content-Digest);
   * `body` gets its Content-Digest computed, unless `digest` gives the header as it is to be sent.
   */
  async authHeaders(method: string, target: string, body?: Uint8Array | string, digest?: string): Promise<Record<string, string>> {
    const sent = digest ?? (body === undefined ? '' : await contentDigest(typeof body === 'string' ? new TextEncoder().encode(body) : body));
    return {
      Authorization: await this.signer.authorization(method, target, sent),
      'FieldFlash-Client': this.clientId,
      'FieldFlash-Protocol': '1',
      ...(sent ? { 'Content-Digest': sent } : {}),
    };
  }

  async request(method: string, path: string, body?: unknown): Promise<Reply> {
    return this.requestAsIs(method, path, method === 'POST' && path === 'updates' ? await this.signed(body) : body);
  }

  /** Sends `body` exactly as given: no signed release is added to an offer. */
  requestAsIs(method: string, path: string, body?: unknown): Promise<Reply> {
    return this.probe.raw(method, `${API_BASE}/${path}`, { session: this, ...(body === undefined ? {} : { body }) });
  }

  /**
   * The offer with a signed release added when the suite signs offers, unless it has one or is malformed on purpose
   * (then it goes as it is). For offers a check sends by other means (raw bytes, a data channel).
   */
  async signed(body: unknown): Promise<unknown> {
    const key = this.probe.releaseKey;
    if (!key || typeof body !== 'object' || body === null || 'release' in body) return body;
    let offer: UpdateOffer;
    try {
      offer = parseUpdateOffer(body);
    } catch {
      return body;
    }
    return { ...(body as object), release: (await signOffer(offer, key, await this.probe.device())).release };
  }

  async chunk(sha256: string, offset: number, bytes: Uint8Array, digest?: string): Promise<Reply> {
    return this.probe.raw('PUT', `${API_BASE}/updates/${sha256}?offset=${offset}`, {
      session: this,
      bytes,
      headers: { 'Content-Digest': digest ?? (await contentDigest(bytes)) },
    });
  }

  /** Sends the image from `from` to the end, chunk after chunk; returns the last acknowledged offset. */
  async sendFrom(image: Image, from: number, chunkSize: number): Promise<number> {
    let offset = from;
    while (offset < image.bytes.length) {
      const reply = await this.chunk(image.sha256, offset, image.bytes.subarray(offset, offset + chunkSize));
      offset = (expectOk(reply, `the chunk at ${offset}`) as { offset: number }).offset;
    }
    return offset;
  }

  /** Best effort: drops this client's session for the image, so the next check finds the device free. */
  async discard(sha256: string): Promise<void> {
    await this.request('DELETE', `updates/${sha256}`).catch(() => undefined);
  }
}

export function expectOk(reply: Reply, what: string): unknown {
  if (reply.status < 200 || reply.status > 299) throw new Error(`${what} was refused: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** An offer the device should accept: its identity, a version above the running one, counters not below its own. */
export function acceptableOffer(doc: DeviceDocument, image: Image, change: Partial<UpdateOffer> = {}): UpdateOffer {
  return {
    sha256: image.sha256,
    size: image.bytes.length,
    version: semver.inc(doc.version, 'patch') ?? '1.0.0',
    product: doc.product,
    sequence: doc.sequence + 1,
    securityVersion: doc.securityVersion,
    chipFamily: doc.chipFamily,
    board: doc.board,
    hardwareRevision: doc.hardwareRevision,
    ...change,
  };
}
