// WebRTC transport through node-datachannel. Signaling is one authenticated HTTP request; the offer's DTLS
// fingerprint must carry a proof keyed by the session key of the login that signed it, and the answer carries the
// agent's proof, so nobody in between can substitute a certificate. Requests on the channel reach the same
// dispatcher as HTTP: text frames are JSON requests, binary frames chunks.
import nodeDataChannel from 'node-datachannel';
import {
  type ChunkFrameHeader,
  DATA_CHANNEL_LABEL,
  decodeChunkFrame,
  decodeRequestFrame,
  encodeReplyFrame,
  fingerprintProof,
  sameProof,
  sdpFingerprint,
  type WebRtcAnswer,
  type WebRtcOffer,
} from '@fieldflash/protocol';
import type { LoginGrant } from './auth.ts';
import type { AgentConfig } from './config.ts';
import type { AgentReply, Dispatcher, Signaling } from './dispatcher.ts';
import { AgentRefusal } from './errors.ts';

type PeerConnection = InstanceType<typeof nodeDataChannel.PeerConnection>;
type DataChannel = Parameters<Parameters<PeerConnection['onDataChannel']>[0]>[0];

const GATHERING_TIMEOUT_MS = 5_000;
/** A peer whose data channel has not opened this long after signaling is dropped, so abandoned offers free their place. */
const OPEN_TIMEOUT_MS = 15_000;

export class WebRtcTransport implements Signaling {
  private readonly peers = new Set<PeerConnection>();

  constructor(
    private readonly config: AgentConfig,
    private readonly dispatcher: Dispatcher,
  ) {}

  async answer(grant: LoginGrant, offer: WebRtcOffer): Promise<WebRtcAnswer> {
    const offered = sdpFingerprint(offer.sdp);
    if (!offered) throw new AgentRefusal('bad-request', 'The offer has no a=fingerprint line.');
    if (!sameProof(await fingerprintProof(grant.sessionKey, 'offer', offered), offer.fingerprintProof)) {
      throw new AgentRefusal('bad-proof', 'The offer\'s fingerprint proof does not match this session: the offer may have been altered on its way. Authenticate again and retry.');
    }
    if (this.peers.size >= this.config.maxPeers) {
      throw new AgentRefusal('too-many-peers', `The device has ${this.peers.size} WebRTC connections open, as many as it allows. Close one (or wait ${OPEN_TIMEOUT_MS / 1000} s for an unused one to lapse), or use HTTP.`, { retryAfterSeconds: OPEN_TIMEOUT_MS / 1000 });
    }
    const peer = new nodeDataChannel.PeerConnection(`fieldflash-agent-${grant.clientId}`, {
      iceServers: [],
      // Room for a whole chunk plus its frame header in one message (docs/protocol.md §8.1).
      maxMessageSize: Math.max(262_144, this.config.chunkSize + 8192),
      ...(this.config.host !== '0.0.0.0' && this.config.host !== '::' ? { bindAddress: this.config.host } : {}),
    });
    this.peers.add(peer);
    const unopened = setTimeout(() => this.close(peer), OPEN_TIMEOUT_MS);
    unopened.unref();
    peer.onStateChange((state) => {
      if (state === 'closed' || state === 'failed') {
        clearTimeout(unopened);
        this.peers.delete(peer);
      }
    });
    peer.onDataChannel((channel) => {
      if (channel.getLabel() !== DATA_CHANNEL_LABEL) {
        channel.close();
        return;
      }
      clearTimeout(unopened);
      // One channel per peer: when the client closes it, the peer goes too.
      channel.onClosed(() => this.close(peer));
      this.serve(channel, grant.clientId);
    });
    // The timer is armed, and the promise awaited, only once the offer was accepted: a malformed offer must leave
    // nothing behind that could reject later with nobody listening (which would end the process).
    let timer: NodeJS.Timeout | undefined;
    try {
      peer.setRemoteDescription(offer.sdp, 'offer');
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new AgentRefusal('timeout', 'The device could not gather network candidates for WebRTC.', {}, 503)), GATHERING_TIMEOUT_MS);
        if (peer.gatheringState() === 'complete') resolve();
        peer.onGatheringStateChange((state) => {
          if (state === 'complete') resolve();
        });
      });
    } catch (error) {
      clearTimeout(unopened);
      this.close(peer);
      if (error instanceof AgentRefusal) throw error;
      throw new AgentRefusal('bad-request', `The device could not use this offer: ${error instanceof Error ? error.message : String(error)}.`);
    } finally {
      clearTimeout(timer);
    }
    const sdp = peer.localDescription()?.sdp ?? '';
    const fingerprint = sdpFingerprint(sdp);
    if (!fingerprint) {
      this.close(peer);
      throw new AgentRefusal('bad-request', 'The device produced an answer without a fingerprint.', {}, 500);
    }
    return { sdp, fingerprintProof: await fingerprintProof(grant.sessionKey, 'answer', fingerprint) };
  }

  private serve(channel: DataChannel, clientId: string): void {
    const reply = (id: number, answer: AgentReply): void => {
      try {
        if (channel.isOpen()) channel.sendMessage(encodeReplyFrame({ id, status: answer.status, ...(answer.body === undefined ? {} : { body: answer.body }) }));
      } catch {
        // The channel closed while the request ran; the client asks again on its next link.
      }
    };
    const refuse = (id: number, error: unknown): void =>
      reply(id, { status: 400, body: new AgentRefusal('bad-request', `The frame could not be read: ${error instanceof Error ? error.message : String(error)}.`).body });
    channel.onMessage((message) => {
      if (typeof message === 'string') {
        let id = 0;
        try {
          const frame = decodeRequestFrame(message);
          id = frame.id;
          const url = new URL(frame.path, 'http://device');
          void this.dispatcher
            .handle({ method: frame.method, path: url.pathname, query: url.searchParams, headers: {}, json: frame.body, channelClientId: clientId })
            .then((answer) => reply(frame.id, answer));
        } catch (error) {
          refuse(id, error);
        }
        return;
      }
      let header: ChunkFrameHeader;
      let chunk: Uint8Array;
      try {
        ({ header, chunk } = decodeChunkFrame(message instanceof ArrayBuffer ? message : new Uint8Array(message)));
      } catch (error) {
        refuse(0, error);
        return;
      }
      void this.dispatcher
        .handle({
          method: 'PUT',
          path: header.path,
          query: new URLSearchParams({ offset: String(header.offset) }),
          headers: { digest: header.digest },
          bytes: chunk,
          channelClientId: clientId,
        })
        .then((answer) => reply(header.id, answer));
    });
  }

  private close(peer: PeerConnection): void {
    if (!this.peers.delete(peer)) return;
    try {
      peer.close();
    } catch {
      // already closed
    }
  }

  /** Drops every peer: a reboot or shutdown ends their channels. */
  closeAll(): void {
    for (const peer of [...this.peers]) this.close(peer);
  }
}
