// The update session as the app and the push command run it (docs/protocol.md §4–§5):
// read the device, authenticate, open the link, offer, send from the device's offset with retries,
// commit, reboot, and wait for the device's verdict: confirmed or rolled back.

import { PROTOCOL_VERSION } from './api.ts';
import { authenticate, type Credentials, PairingKeys } from './auth.ts';
import { type DeviceDocument, parseDeviceDocument } from './device-document.ts';
import { DeviceRefusal } from './error-codes.ts';
import { type HttpTarget, HttpTransport, type TokenTransport } from './http-transport.ts';
import type { ImageSource } from './image-source.ts';
import { expectOk } from './replies.ts';
import { pumpChunks } from './sender.ts';
import { sleep, Throttle } from './throttle.ts';
import { LinkError, type Transport } from './transport.ts';
import { parseCommitReply, parseRebootReply, parseUpdateSession, type UpdateOffer, type UpdateSession } from './update-messages.ts';
import { openDataChannel, type PeerConnectionFactory } from './webrtc.ts';

/** What the release says about itself, for the device's compatibility and rollback checks. */
export type ReleaseFacts = Omit<UpdateOffer, 'sha256' | 'size' | 'images' | 'force'>;

export type UpdatePhase = 'reading' | 'authenticating' | 'connecting' | 'offering' | 'sending' | 'retrying' | 'committing' | 'rebooting' | 'waiting' | 'done';

export interface UpdateProgress {
  phase: UpdatePhase;
  /** Where the device is: bytes it has acknowledged. */
  offset: number;
  size: number;
  /** The image being sent, once the device has chosen it. */
  sha256?: string;
  slot?: string;
  /** Bytes put on the wire in this update, retransmissions included. */
  sentBytes: number;
  /** For `retrying`: the attempt number and why. */
  attempt?: number;
  reason?: string;
}

export interface UpdateOptions {
  /** The device's base URL, e.g. http://192.168.1.40:8070. */
  url: string;
  password: string;
  /** Stable per installation of the client, so a reloaded client resumes its own session instead of being `busy`. */
  clientId: string;
  release: ReleaseFacts;
  /** One image, or one per slot (RIOT style: slot0 for the device's first slot, slot1 for its second). */
  image: ImageSource | [ImageSource, ImageSource];
  force?: boolean;
  transport?: 'http' | 'webrtc';
  /** Needed for `webrtc`: makes an RTCPeerConnection (the browser's, or node-datachannel's polyfill). */
  newPeerConnection?: PeerConnectionFactory;
  throttleKiBps?: number;
  /** Consecutive failed attempts before giving up (default 8); any progress resets the count. */
  attempts?: number;
  backoffMs?: { first: number; max: number };
  /** How long to wait for the device's verdict after reboot (default 120 s). */
  verdictTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?(progress: UpdateProgress): void;
  fetch?: typeof fetch;
  fetchInit?: Record<string, unknown>;
  /** Makes the HTTP transport; the default uses fetch (Node programs may pass NodeHttpTransport). */
  httpTransport?: (target: HttpTarget) => TokenTransport;
}

export interface UpdateVerdict {
  outcome: 'confirmed' | 'rolled-back';
  sha256: string;
  version: string;
  /** The slot the image was written to. */
  slot: string;
  reason?: string;
  device: DeviceDocument;
}

/** The update could not be carried through; the message says why and what to do. */
export class UpdateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpdateError';
  }
}

const RETRYABLE_CODES = new Set(['offset-mismatch', 'chunk-corrupt', 'timeout', 'token-expired', 'unauthenticated', 'unknown-session', 'rate-limited']);

export class DeviceUpdate {
  private readonly http: TokenTransport;
  private readonly keys: PairingKeys;
  private credentials: Credentials | undefined;
  private link: Transport | undefined;
  private readonly throttle: Throttle | undefined;
  private progress: UpdateProgress = { phase: 'reading', offset: 0, size: 0, sentBytes: 0 };
  private device!: DeviceDocument;
  private digestRetried = false;

  constructor(private readonly options: UpdateOptions) {
    const target: HttpTarget = { url: options.url, clientId: options.clientId };
    if (options.fetch) target.fetch = options.fetch;
    if (options.fetchInit) target.fetchInit = options.fetchInit;
    this.http = options.httpTransport ? options.httpTransport(target) : new HttpTransport(target);
    this.keys = new PairingKeys(options.password);
    this.throttle = options.throttleKiBps ? new Throttle(options.throttleKiBps) : undefined;
  }

  private report(change: Partial<UpdateProgress>): void {
    this.progress = { ...this.progress, ...change };
    if (this.progress.phase !== 'retrying') {
      delete this.progress.attempt;
      delete this.progress.reason;
    }
    this.options.onProgress?.(this.progress);
  }

  /** Runs the whole update and returns the device's verdict; throws DeviceRefusal or UpdateError otherwise. */
  async run(): Promise<UpdateVerdict> {
    try {
      this.device = await this.retrying('reading', () => this.readDevice());
      if (!this.device.protocol.versions.includes(PROTOCOL_VERSION)) {
        throw new DeviceRefusal(400, {
          code: 'unsupported-protocol',
          message: `The device speaks FieldFlash LAN protocol ${this.device.protocol.versions.join(', ')}; this client speaks ${PROTOCOL_VERSION}. Update the client or the agent.`,
          supported: this.device.protocol.versions,
        });
      }
      let session = await this.retrying('offering', () => this.offer());
      const image = this.imageFor(session);
      this.report({ phase: 'sending', sha256: session.sha256, slot: session.slot, size: session.size, offset: session.offset });
      while (true) {
        session = await this.send(session, image);
        const committed = await this.retrying('committing', () => this.commit(session));
        if (committed) break;
        session = await this.retrying('offering', () => this.offer());
      }
      this.closeLink();
      await this.retrying('rebooting', () => this.reboot(session));
      const verdict = await this.waitForVerdict(session);
      this.report({ phase: 'done' });
      return verdict;
    } finally {
      this.closeLink();
      this.http.close();
    }
  }

  private async readDevice(): Promise<DeviceDocument> {
    return expectOk(await this.http.request('GET', '/device'), parseDeviceDocument, 'the device document request');
  }

  /** Credentials with a token that is not about to lapse; a new token means a new data channel too. */
  private async ensureToken(): Promise<Credentials> {
    if (!this.credentials || this.credentials.expiresAt - Date.now() < 5_000) {
      const phase = this.progress.phase;
      this.report({ phase: 'authenticating' });
      this.closeLink();
      this.http.token = undefined;
      this.credentials = await authenticate(this.http, this.keys, this.options.clientId);
      this.http.token = this.credentials.token;
      this.report({ phase });
    }
    return this.credentials;
  }

  /** An authenticated link: the HTTP transport with a fresh token, or the data channel opened with it. */
  private async ensureLink(): Promise<Transport> {
    await this.ensureToken();
    if (this.link) return this.link;
    if (this.options.transport === 'webrtc') {
      if (!this.options.newPeerConnection) throw new UpdateError('The WebRTC transport needs an RTCPeerConnection; none was given.');
      this.report({ phase: 'connecting' });
      this.link = await openDataChannel(this.http, await this.ensureToken(), this.options.newPeerConnection);
    } else {
      this.link = this.http;
    }
    return this.link;
  }

  private closeLink(): void {
    if (this.link && this.link !== this.http) this.link.close();
    this.link = undefined;
  }

  private async offer(): Promise<UpdateSession> {
    const link = await this.ensureLink();
    const { image, force, release } = this.options;
    let offer: UpdateOffer;
    if (Array.isArray(image)) {
      const names = this.device.slots.map((s) => s.name);
      if (names.length < 2) throw new UpdateError(`The release has one image per slot, but the device has ${names.length} slot(s).`);
      const images = image.map((img, i) => ({ slot: names[i]!, sha256: img.sha256, size: img.size }));
      offer = { ...release, sha256: images[0]!.sha256, size: images[0]!.size, images };
    } else {
      offer = { ...release, sha256: image.sha256, size: image.size };
    }
    if (force) offer.force = true;
    return expectOk(await link.request('POST', '/updates', offer), parseUpdateSession, 'the update offer');
  }

  private imageFor(session: UpdateSession): ImageSource {
    const candidates = Array.isArray(this.options.image) ? this.options.image : [this.options.image];
    const image = candidates.find((c) => c.sha256 === session.sha256 && c.size === session.size);
    if (!image) throw new UpdateError(`The device asked for an image (${session.sha256.slice(0, 12)}…, ${session.size} bytes) that this release does not have.`);
    return image;
  }

  /** Sends until the device holds every byte, resuming from the offset it reports after every interruption. */
  private async send(start: UpdateSession, image: ImageSource): Promise<UpdateSession> {
    let session = start;
    let failures = 0;
    let sentBefore = this.progress.sentBytes;
    while (session.offset < session.size && session.state !== 'complete') {
      const link = await this.ensureLink();
      this.report({ phase: 'sending', offset: session.offset });
      const from = session.offset;
      const result = await pumpChunks({
        transport: link,
        image,
        session,
        ...(this.throttle ? { throttle: this.throttle } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        onAck: (offset, sent) => this.report({ phase: 'sending', offset, sentBytes: sentBefore + sent }),
      });
      sentBefore = this.progress.sentBytes;
      if (!result.failure) break;
      if (result.offset > from) failures = 0;
      failures = await this.afterFailure(result.failure, failures);
      session = await this.retrying('offering', () => this.offer());
    }
    return session;
  }

  /** Decides whether a failure is worth another attempt, waits the backoff, and returns the new failure count. */
  private async afterFailure(err: Error, failures: number): Promise<number> {
    if (!isRetryable(err)) throw err;
    const attempt = failures + 1;
    if (attempt > (this.options.attempts ?? 8)) {
      throw new UpdateError(`Gave up after ${attempt - 1} attempts in a row without progress: ${err.message} Check the device's network and run the update again; it will resume.`, { cause: err });
    }
    if (err instanceof LinkError) this.closeLink();
    if (err instanceof DeviceRefusal && (err.code === 'token-expired' || err.code === 'unauthenticated')) this.credentials = undefined;
    this.report({ phase: 'retrying', attempt, reason: err.message });
    await sleep(this.backoff(err, attempt), this.options.signal);
    return attempt;
  }

  private backoff(err: Error, attempt: number): number {
    if (err instanceof DeviceRefusal && err.details.retryAfterSeconds !== undefined) return err.details.retryAfterSeconds * 1000;
    if (!(err instanceof LinkError)) return 0;
    const { first, max } = this.options.backoffMs ?? { first: 250, max: 8_000 };
    return Math.min(max, first * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
  }

  private async retrying<T>(phase: UpdatePhase, step: () => Promise<T>): Promise<T> {
    let failures = 0;
    while (true) {
      if (this.options.signal?.aborted) throw this.options.signal.reason;
      this.report({ phase });
      try {
        return await step();
      } catch (err) {
        failures = await this.afterFailure(err instanceof Error ? err : new Error(String(err)), failures);
      }
    }
  }

  /** Commits the complete image; false when the device found its digest wrong and dropped it (sent again once). */
  private async commit(session: UpdateSession): Promise<boolean> {
    const link = await this.ensureLink();
    const reply = await link.request('POST', `/updates/${session.sha256}/commit`, {});
    if (reply.status === 409 || reply.status === 404) {
      // A commit whose reply was lost: the device already holds the image as pending.
      this.device = await this.readDevice();
      if (this.device.slots.some((s) => s.state === 'pending' && s.sha256 === session.sha256)) return true;
    }
    try {
      expectOk(reply, parseCommitReply, 'the commit');
      return true;
    } catch (err) {
      if (err instanceof DeviceRefusal && err.code === 'digest-mismatch' && !this.digestRetried) {
        this.digestRetried = true;
        this.report({ phase: 'retrying', attempt: 1, reason: err.message, offset: 0 });
        return false;
      }
      throw err;
    }
  }

  private async reboot(session: UpdateSession): Promise<void> {
    await this.ensureToken();
    const reply = await this.http.request('POST', '/reboot', {}).catch(async (err: unknown) => {
      // The reply may be lost because the device is already rebooting; only ask again if the image still waits.
      this.device = await this.readDevice().catch(() => this.device);
      if (this.device.slots.some((s) => s.state === 'pending' && s.sha256 === session.sha256) && this.device.lastUpdate?.outcome === 'pending') throw err;
      return undefined;
    });
    if (reply) expectOk(reply, parseRebootReply, 'the reboot request');
  }

  private async waitForVerdict(session: UpdateSession): Promise<UpdateVerdict> {
    this.report({ phase: 'waiting' });
    const deadline = Date.now() + (this.options.verdictTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      try {
        const device = await this.readDevice();
        const last = device.lastUpdate;
        if (last && last.sha256 === session.sha256 && last.outcome !== 'pending') {
          const verdict: UpdateVerdict = { outcome: last.outcome, sha256: last.sha256, version: last.version, slot: session.slot, device };
          if (last.reason !== undefined) verdict.reason = last.reason;
          return verdict;
        }
      } catch (err) {
        if (!(err instanceof LinkError)) throw err; // rebooting devices refuse connections for a while
      }
      await sleep(250, this.options.signal);
    }
    throw new UpdateError(
      `The device did not report whether ${this.options.release.version} booted within ${Math.round((this.options.verdictTimeoutMs ?? 120_000) / 1000)} s. Check it is powered and on the network; its device document will say.`,
    );
  }
}

function isRetryable(err: Error): boolean {
  if (err instanceof LinkError) return true;
  return err instanceof DeviceRefusal && RETRYABLE_CODES.has(err.code);
}

/** Updates one device and returns its verdict. */
export function updateDevice(options: UpdateOptions): Promise<UpdateVerdict> {
  return new DeviceUpdate(options).run();
}
