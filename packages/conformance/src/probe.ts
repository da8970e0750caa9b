// The suite's own view of a device: raw requests where a check needs to misbehave on purpose (no token, another
// client id, a wrong digest), built on packages/protocol for everything a well-behaved client does.
import { createHash, randomBytes } from 'node:crypto';
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
  randomBase64,
  sameProof,
  sessionKey,
  type UpdateOffer,
} from '@fieldflash/protocol';
import semver from 'semver';

export interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  bytes?: Uint8Array;
  token?: string;
  clientId?: string;
  headers?: Record<string, string>;
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

  constructor(
    readonly url: string,
    private readonly password: string,
  ) {}

  async raw(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { 'FieldFlash-Protocol': '1', ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.clientId) headers['FieldFlash-Client'] = options.clientId;
    let body: BodyInit | undefined;
    if (options.bytes) {
      body = options.bytes as Uint8Array<ArrayBuffer>;
      headers['Content-Type'] = 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(`${this.url}${path.startsWith('/') ? path : `${API_BASE}/${path}`}`, { method, headers, ...(body ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // a text body stays text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  async device(): Promise<DeviceDocument> {
    const reply = await this.raw('GET', `${API_BASE}/device`);
    if (reply.status !== 200) throw new Error(`GET /device answered ${reply.status}`);
    return parseDeviceDocument(reply.body);
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
    return new Session(this, clientId, reply.token, reply.expiresIn, await sessionKey(key, challenge.challengeId, input.clientNonce));
  }
}

export class Session {
  constructor(
    readonly probe: Probe,
    readonly clientId: string,
    readonly token: string,
    readonly expiresIn: number,
    readonly sessionKey: Uint8Array,
  ) {}

  /** The headers that authenticate a request of this session, for requests made outside `request` and `chunk`. */
  authHeaders(_method: string, _path: string): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, 'FieldFlash-Client': this.clientId };
  }

  request(method: string, path: string, body?: unknown): Promise<Reply> {
    return this.probe.raw(method, `${API_BASE}/${path}`, { token: this.token, clientId: this.clientId, ...(body === undefined ? {} : { body }) });
  }

  async chunk(sha256: string, offset: number, bytes: Uint8Array, digest?: string): Promise<Reply> {
    return this.probe.raw('PUT', `${API_BASE}/updates/${sha256}?offset=${offset}`, {
      token: this.token,
      clientId: this.clientId,
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
