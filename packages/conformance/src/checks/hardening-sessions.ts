// Attacks on a device's sessions and links from an authenticated but careless or hostile client: commits raced
// against each other, a malformed WebRTC offer, and more peer connections than a device can keep.
import { DeviceRefusal, fingerprintProof, HttpTransport, openDataChannel } from '@fieldflash/protocol';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { assert, type Check, expectRefusal, fail } from '../harness.ts';
import { expectOk, makeImage, type Session } from '../probe.ts';
import { offer, reboot, verdict } from './flows.ts';

const newPeer = () => new RTCPeerConnection({ iceServers: [] }) as never;
const FINGERPRINT = 'sha-256 4A:1F:0C:9E:7B:22:D3:58:61:AA:0B:3C:E4:95:17:8D:F0:26:C1:73:5E:9A:B8:04:DD:62:39:C7:10:8E:F5:2B';

function openLink(session: Session) {
  const http = new HttpTransport({ url: session.probe.url, clientId: session.clientId, signer: session.signer });
  return openDataChannel(http, { clientId: session.clientId, sessionId: session.sessionId, signer: session.signer, expiresAt: Date.now() + session.expiresIn * 1000, sessionKey: session.sessionKey }, newPeer);
}

const isPeerCap = (error: unknown): boolean => error instanceof DeviceRefusal && error.code === 'too-many-peers' && error.status === 503;

export const sessionAttackChecks: Check[] = [
  {
    section: '5',
    title: 'three concurrent commits of one upload get the same answer and leave the image pending; a retry gets it too',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      const opened = await offer(session, ctx, image);
      await session.sendFrom(image, opened.offset, opened.chunkSize);
      const replies = await Promise.all([1, 2, 3].map(() => session.request('POST', `updates/${image.sha256}/commit`, {})));
      const bodies = replies.map((reply, i) => JSON.stringify(expectOk(reply, `concurrent commit ${i + 1}`)));
      assert(new Set(bodies).size === 1, `the concurrent commits answered differently: ${bodies.join(' / ')}`);
      const { slot } = JSON.parse(bodies[0]!) as { slot: string };
      const retried = JSON.stringify(expectOk(await session.request('POST', `updates/${image.sha256}/commit`, {}), 'a commit retried after the others'));
      assert(retried === bodies[0], `the retried commit answered ${retried}, the first ones ${bodies[0]}`);
      const doc = await ctx.probe.device();
      const listed = doc.slots.find((s) => s.name === slot);
      assert(listed?.state === 'pending' && listed.sha256 === image.sha256, `after the concurrent commits slot ${slot} is ${JSON.stringify(listed)}`);
      assert(doc.lastUpdate?.sha256 === image.sha256 && doc.lastUpdate.outcome === 'pending', `after the concurrent commits lastUpdate is ${JSON.stringify(doc.lastUpdate)}`);
      // Boot it, so the checks after this one find no image waiting for its reboot.
      await reboot(session);
      const after = await verdict(ctx, image.sha256);
      assert(after.lastUpdate?.outcome === 'confirmed', `the committed image was ${after.lastUpdate?.outcome} after its reboot: ${after.lastUpdate?.reason ?? ''}`);
    },
  },
  {
    section: '8.1',
    title: 'a malformed SDP with a valid fingerprint proof is refused (400), and the device still answers seconds later',
    needs: 'webrtc',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const sdp = `v=0\r\na=fingerprint:${FINGERPRINT}\r\nthis is not a session description\r\n`;
      const reply = await session.request('POST', 'webrtc/offer', { sdp, fingerprintProof: await fingerprintProof(session.sessionKey, 'offer', FINGERPRINT) });
      expectRefusal(reply, 400, 'bad-request', 'a malformed SDP with a valid proof');
      // The reference agent once died five seconds after such an offer (a timer nobody awaited any more).
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const doc = await ctx.probe.device().catch((error: unknown) => fail(`6 s after the malformed offer the device does not answer: ${error instanceof Error ? error.message : String(error)}`));
      assert(doc.id === ctx.doc.id, `another device (${doc.id}) answers`);
    },
  },
  {
    section: '10',
    title: 'WebRTC peers are capped: an offer beyond the cap is refused (503 too-many-peers), and closing one frees its place',
    needs: 'webrtc',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const links: Awaited<ReturnType<typeof openLink>>[] = [];
      try {
        let refused = false;
        while (!refused && links.length < 16) {
          try {
            links.push(await openLink(session));
          } catch (error) {
            if (!isPeerCap(error)) throw error;
            refused = true;
          }
        }
        assert(refused, `the device opened ${links.length} peer connections for one client without refusing any`);
        assert(links.length > 0, 'the device refused the first peer connection (too-many-peers) while this check had none open');
        links.shift()!.close();
        // The device learns of the close from the data channel; give it a moment, asking again until it lets us in.
        const deadline = Date.now() + 10_000;
        for (;;) {
          try {
            links.push(await openLink(session));
            break;
          } catch (error) {
            if (!isPeerCap(error) || Date.now() > deadline) fail(`after closing a peer connection a new one was still refused 10 s later: ${error instanceof Error ? error.message : String(error)}`);
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      } finally {
        for (const link of links) link.close();
      }
    },
  },
];
