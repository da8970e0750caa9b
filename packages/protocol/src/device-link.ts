// The authenticated link to the device during an update (docs/protocol.md §3, §8): a login renewed before it
// lapses, and the transport requests go over: HTTP signed with its session key, or a data channel opened with it.

import { authenticate, type Credentials, type PairingKeySource, PairingKeys } from './auth.ts';
import { type DeviceDocument, parseDeviceDocument } from './device-document.ts';
import { type HttpTarget, HttpTransport, type SignedTransport } from './http-transport.ts';
import { expectOk } from './replies.ts';
import type { Transport } from './transport.ts';
import { UpdateError } from './update-error.ts';
import type { UpdateOptions } from './update-options.ts';
import type { ProgressReport } from './update-progress.ts';
import { openDataChannel } from './webrtc.ts';

export class DeviceLink {
  /** Reading the device, authenticating, signaling and rebooting always go over HTTP. */
  readonly http: SignedTransport;
  private readonly keys: PairingKeySource;
  private credentials: Credentials | undefined;
  private link: Transport | undefined;

  constructor(
    private readonly options: UpdateOptions,
    private readonly progress: ProgressReport,
  ) {
    const target: HttpTarget = { url: options.url, clientId: options.clientId };
    if (options.fetch) target.fetch = options.fetch;
    if (options.fetchInit) target.fetchInit = options.fetchInit;
    this.http = options.httpTransport ? options.httpTransport(target) : new HttpTransport(target);
    if (options.keys) this.keys = options.keys;
    else if (options.password !== undefined) this.keys = new PairingKeys(options.password);
    else throw new UpdateError('The update needs the pairing secret or a kept pairing key; it was given neither.');
  }

  async readDevice(): Promise<DeviceDocument> {
    const device = expectOk(await this.http.request('GET', '/device'), parseDeviceDocument, 'the device document request');
    this.http.limitConnections?.(device.maxConnections);
    return device;
  }

  /** Credentials of a login that is not about to lapse; a new login means a new data channel too. */
  async ensureLogin(): Promise<Credentials> {
    if (!this.credentials || this.credentials.expiresAt - Date.now() < 5_000) {
      const phase = this.progress.current.phase;
      this.progress.report({ phase: 'authenticating' });
      this.closeLink();
      this.http.signer = undefined;
      this.credentials = await authenticate(this.http, this.keys, this.options.clientId);
      this.http.signer = this.credentials.signer;
      this.progress.report({ phase });
    }
    return this.credentials;
  }

  /** An authenticated link: the HTTP transport with a fresh login, or the data channel opened with it. */
  async ensureLink(): Promise<Transport> {
    await this.ensureLogin();
    if (this.link) return this.link;
    if (this.options.transport === 'webrtc') {
      if (!this.options.newPeerConnection) throw new UpdateError('The WebRTC transport needs an RTCPeerConnection; none was given.');
      this.progress.report({ phase: 'connecting' });
      this.link = await openDataChannel(this.http, await this.ensureLogin(), this.options.newPeerConnection);
    } else {
      this.link = this.http;
    }
    return this.link;
  }

  /** Closes the data channel, if there is one; the next request opens a new one. */
  closeLink(): void {
    if (this.link && this.link !== this.http) this.link.close();
    this.link = undefined;
  }

  /** Drops the login the device refused, so the next request authenticates again. */
  forgetLogin(): void {
    this.credentials = undefined;
  }

  close(): void {
    this.closeLink();
    this.http.close();
  }
}
