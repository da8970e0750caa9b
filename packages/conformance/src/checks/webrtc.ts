// §8 WebRTC: signaling bound to the session key, and the same requests over the data channel.
import { contentDigest, DATA_CHANNEL_LABEL, HttpTransport, openDataChannel, parseChunkAck, parseDeviceDocument } from '@fieldflash/protocol';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { assert, type Check, expectRefusal } from '../harness.ts';
import { acceptableOffer, expectOk, makeImage } from '../probe.ts';
import { offer } from './flows.ts';

const newPeer = () => new RTCPeerConnection({ iceServers: [] }) as never;

export const webrtcChecks: Check[] = [
  {
    section: '8.1',
    title: 'an offer whose fingerprint proof does not match the session is refused (bad-proof)',
    needs: 'webrtc',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const peer = new RTCPeerConnection({ iceServers: [] });
      try {
        peer.createDataChannel(DATA_CHANNEL_LABEL);
        await peer.setLocalDescription(await peer.createOffer());
        const sdp = peer.localDescription?.sdp ?? '';
        expectRefusal(await session.request('POST', 'webrtc/offer', { sdp, fingerprintProof: '0'.repeat(64) }), 401, 'bad-proof', 'an offer with a forged fingerprint proof');
      } finally {
        peer.close();
      }
    },
  },
  {
    section: '8.2',
    title: 'over the data channel: the device document, an offer and a chunk, as over HTTP',
    needs: 'webrtc',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const http = new HttpTransport({ url: ctx.probe.url, clientId: session.clientId, signer: session.signer });
      const credentials = { clientId: session.clientId, sessionId: session.sessionId, expiresAt: Date.now() + session.expiresIn * 1000, sessionKey: session.sessionKey, signer: session.signer };
      const link = await openDataChannel(http, credentials, newPeer);
      const image = makeImage(ctx.transferSize);
      try {
        const doc = parseDeviceDocument(expectOk({ ...(await link.request('GET', '/device')), headers: new Headers() }, 'GET /device over the channel'));
        assert(doc.id === ctx.doc.id, `the channel reaches device ${doc.id}, not ${ctx.doc.id}`);
        const opened = await link.request('POST', '/updates', await session.signed(acceptableOffer(ctx.doc, image)));
        assert(opened.status === 200, `the offer over the channel answered ${opened.status}`);
        const bytes = image.bytes.subarray(0, ctx.doc.chunk.size);
        const ack = parseChunkAck(expectOk({ ...(await link.sendChunk({ sha256: image.sha256, offset: 0, bytes, digest: await contentDigest(bytes) })), headers: new Headers() }, 'a chunk frame'));
        assert(ack.offset === bytes.length, `the chunk frame was acknowledged at ${ack.offset}`);
        const status = await offer(session, ctx, image);
        assert(status.offset === bytes.length, `over HTTP the same session is at ${status.offset}`);
      } finally {
        link.close();
        await session.discard(image.sha256);
      }
    },
  },
];
