// §4.2–§4.6 and §5 commit: sessions keyed by SHA-256, pipelined chunks, resume after a cut link, damaged chunks,
// the window, whole-image digest at commit, single-request upload, slot images.
import { request as httpRequest } from 'node:http';
import { contentDigest, parseChunkAck, parseUpdateSession } from '@fieldflash/protocol';
import { assert, type Check, expectRefusal, expectStatus, refusal } from '../harness.ts';
import { acceptableOffer, expectOk, makeImage, type Session } from '../probe.ts';
import { offer, reboot, updatesPath, withOfferedImage } from './flows.ts';

/** Sends the start of a chunk and breaks the connection in the middle of its body, as a dropped link does. */
async function cutChunk(session: Session, sha256: string, offset: number, bytes: Uint8Array): Promise<void> {
  const target = `${updatesPath(sha256)}?offset=${offset}`;
  const digest = await contentDigest(bytes);
  const authorization = await session.signer.authorization('PUT', target, digest);
  await new Promise<void>((resolve) => {
    const req = httpRequest(new URL(target, session.probe.url), {
      method: 'PUT',
      headers: { Authorization: authorization, 'FieldFlash-Client': session.clientId, 'Content-Digest': digest, 'Content-Length': String(bytes.length), 'Content-Type': 'application/octet-stream' },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(bytes.subarray(0, bytes.length >> 1), () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 100));
  });
}

export const transferChecks: Check[] = [
  {
    section: '4.3',
    title: 'a window of chunks sent at once, out of order, is accepted and acknowledged as one contiguous offset',
    async run(ctx) {
      const { size: chunkSize, window } = ctx.doc.chunk;
      const count = Math.min(window, 4);
      await withOfferedImage(ctx, count * chunkSize + 1000, async (session, image, opened) => {
        assert(opened.offset === 0 && opened.state === 'receiving', `a new session starts at ${opened.offset} (${opened.state})`);
        const offsets = Array.from({ length: count }, (_, i) => (count - 1 - i) * chunkSize);
        const acks = await Promise.all(offsets.map(async (at) => parseChunkAck(expectOk(await session.chunk(image.sha256, at, image.bytes.subarray(at, at + chunkSize)), `the chunk at ${at}`))));
        const highest = Math.max(...acks.map((ack) => ack.offset));
        assert(highest === count * chunkSize, `after ${count} chunks the highest acknowledged offset is ${highest}, not ${count * chunkSize}`);
        const status = parseUpdateSession(expectOk(await session.request('GET', `updates/${image.sha256}`), 'the session'));
        assert(status.offset === count * chunkSize, `the session reports offset ${status.offset}`);
      });
    },
  },
  {
    section: '4.2',
    title: 'after a link cut in the middle of a chunk, a new connection resumes from the device\'s offset and completes',
    async run(ctx) {
      const clientId = ctx.clientId();
      const first = await ctx.probe.login(clientId);
      const chunkSize = ctx.doc.chunk.size;
      const image = makeImage(ctx.transferSize);
      try {
        await offer(first, ctx, image);
        for (const at of [0, chunkSize]) expectOk(await first.chunk(image.sha256, at, image.bytes.subarray(at, at + chunkSize)), `the chunk at ${at}`);
        await cutChunk(first, image.sha256, 2 * chunkSize, image.bytes.subarray(2 * chunkSize, 3 * chunkSize));
        const again = await ctx.probe.login(clientId);
        const resumed = await offer(again, ctx, image);
        assert(resumed.offset === 2 * chunkSize, `after the cut the device says offset ${resumed.offset}; it acknowledged ${2 * chunkSize} and the cut chunk must not count`);
        await again.sendFrom(image, resumed.offset, chunkSize);
        const commit = expectOk(await again.request('POST', `updates/${image.sha256}/commit`, {}), 'the commit of the resumed image') as { state: string };
        assert(commit.state === 'pending', `the commit says ${commit.state}`);
      } finally {
        await first.discard(image.sha256);
      }
    },
  },
  {
    section: '4.2',
    title: 'a partial upload survives a reboot: GET, chunks and commit work without a new offer, from the offset it reports',
    async run(ctx) {
      const clientId = ctx.clientId();
      const before = await ctx.probe.login(clientId);
      const chunkSize = ctx.doc.chunk.size;
      const image = makeImage(ctx.transferSize);
      await offer(before, ctx, image);
      let acked = 0;
      for (const at of [0, chunkSize]) acked = parseChunkAck(expectOk(await before.chunk(image.sha256, at, image.bytes.subarray(at, at + chunkSize)), `the chunk at ${at}`)).offset;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // time to make it durable, as any device idles
      await reboot(before);
      const back = Date.now() + ctx.verdictTimeoutMs;
      let after: Session | undefined;
      while (!after && Date.now() < back) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        after = await ctx.probe.login(clientId).catch(() => undefined);
      }
      assert(after, `the device did not come back within ${ctx.verdictTimeoutMs / 1000} s of the reboot`);
      try {
        // The session is the stored partial upload: it answers after the restart without a new offer (§4.2).
        const session = parseUpdateSession(expectOk(await after.request('GET', `updates/${image.sha256}`), 'GET of the session after the reboot, without a new offer'));
        assert(session.offset > 0 && session.offset <= acked, `after the reboot the device says offset ${session.offset}; it had acknowledged ${acked} and idled a second before rebooting`);
        // Sending may find the device still checking an image that was pending; wait that out.
        const next = () => after!.chunk(image.sha256, session.offset, image.bytes.subarray(session.offset, session.offset + chunkSize));
        let sent = await next();
        while (refusal(sent).code === 'busy' && Date.now() < back) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          sent = await next();
        }
        const ack = parseChunkAck(expectOk(sent, 'a chunk after the reboot, without a new offer'));
        assert(ack.offset > session.offset, `the chunk after the reboot was acknowledged at ${ack.offset}`);
        await after.sendFrom(image, ack.offset, chunkSize);
        expectStatus(await after.request('POST', `updates/${image.sha256}/commit`, {}), 200, 'the commit after the reboot, without a new offer');
      } finally {
        await after.discard(image.sha256);
      }
    },
  },
  {
    section: '4.3',
    title: 'a corrupted chunk is refused (chunk-corrupt) with the offset, nothing of it is kept, and the transfer completes',
    async run(ctx) {
      const chunkSize = ctx.doc.chunk.size;
      await withOfferedImage(ctx, ctx.transferSize, async (session, image) => {
        const good = image.bytes.subarray(0, chunkSize);
        const damaged = good.slice();
        damaged[100] = damaged[100]! ^ 0x40;
        const error = expectRefusal(await session.chunk(image.sha256, 0, damaged, await contentDigest(good)), 400, 'chunk-corrupt', 'a chunk whose bytes differ from its Content-Digest');
        assert(error.offset === 0, `the refusal says offset ${String(error.offset)}, not 0`);
        const status = parseUpdateSession(expectOk(await session.request('GET', `updates/${image.sha256}`), 'the session'));
        assert(status.offset === 0, `after a corrupted chunk the session is at ${status.offset}`);
        if (ctx.doc.chunk.window >= 3) {
          // Ahead of a gap, the offset in the refusal is still the device's, not the damaged chunk's own.
          const ahead = 2 * chunkSize;
          const later = image.bytes.slice(ahead, ahead + chunkSize);
          const digest = await contentDigest(later);
          later[0] = later[0]! ^ 0x01;
          const refused = expectRefusal(await session.chunk(image.sha256, ahead, later, digest), 400, 'chunk-corrupt', `a damaged chunk at ${ahead}`);
          assert(refused.offset === 0, `a damaged chunk at ${ahead} is refused with offset ${String(refused.offset)}; the device's offset is 0`);
        }
        await session.sendFrom(image, 0, chunkSize);
        expectOk(await session.request('POST', `updates/${image.sha256}/commit`, {}), 'the commit after the corrupted chunk was sent again');
      });
    },
  },
  {
    section: '4.3',
    title: 'chunks outside the window are refused (offset-mismatch) with the offset; an oversized chunk is refused (too-large)',
    async run(ctx) {
      const { size: chunkSize, window } = ctx.doc.chunk;
      await withOfferedImage(ctx, (window + 2) * chunkSize, async (session, image) => {
        const beyond = window * chunkSize;
        const error = expectRefusal(await session.chunk(image.sha256, beyond, image.bytes.subarray(beyond, beyond + chunkSize)), 409, 'offset-mismatch', `a chunk at ${beyond}, past the window`);
        assert(error.offset === 0, `the refusal says offset ${String(error.offset)}, not 0`);
        const tooLarge = expectRefusal(await session.chunk(image.sha256, 0, image.bytes.subarray(0, chunkSize + 1)), 413, 'too-large', 'a chunk one byte above chunkSize');
        assert(tooLarge.chunkSize === chunkSize, `the too-large refusal of a chunk says chunkSize ${String(tooLarge.chunkSize)}, not ${chunkSize}`);
      });
    },
  },
  {
    section: '4.3',
    title: 'chunks need no alignment, and one that starts inside the window may end past it',
    async run(ctx) {
      const { size: chunkSize, window } = ctx.doc.chunk;
      await withOfferedImage(ctx, (window + 1) * chunkSize, async (session, image) => {
        const piece = (at: number, length = chunkSize) => image.bytes.subarray(at, at + length);
        const last = window * chunkSize - 1;
        const edge = parseChunkAck(expectOk(await session.chunk(image.sha256, last, piece(last)), `a chunk at ${last}, the window's last byte, running ${chunkSize - 1} bytes past it`));
        assert(edge.offset === 0, `the chunk beyond a gap was acknowledged at ${edge.offset}`);
        const odd = 1000;
        expectOk(await session.chunk(image.sha256, odd, piece(odd)), `a chunk at ${odd}, not a multiple of the chunk size`);
        const closed = parseChunkAck(expectOk(await session.chunk(image.sha256, 0, piece(0, odd)), `the ${odd} bytes before it`));
        assert(closed.offset >= odd + chunkSize, `after the gap closed the device acknowledges ${closed.offset}, not at least ${odd + chunkSize}`);
      });
    },
  },
  {
    section: '5',
    title: 'commit before every byte arrived is refused (nothing-to-commit) with the offset',
    async run(ctx) {
      const chunkSize = ctx.doc.chunk.size;
      await withOfferedImage(ctx, ctx.transferSize, async (session, image) => {
        expectOk(await session.chunk(image.sha256, 0, image.bytes.subarray(0, chunkSize)), 'the first chunk');
        const error = expectRefusal(await session.request('POST', `updates/${image.sha256}/commit`, {}), 409, 'nothing-to-commit', 'a commit after one chunk');
        assert(error.offset === chunkSize, `the refusal says offset ${String(error.offset)}, not ${chunkSize}`);
      });
    },
  },
  {
    section: '5',
    title: 'an image whose bytes do not hash to the offered SHA-256 is refused at commit (digest-mismatch), again if asked again, and nothing of it remains',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const claimed = makeImage(ctx.transferSize);
      const sent = makeImage(ctx.transferSize);
      try {
        await offer(session, ctx, claimed);
        await session.sendFrom({ sha256: claimed.sha256, bytes: sent.bytes }, 0, ctx.doc.chunk.size);
        const first = expectRefusal(await session.request('POST', `updates/${claimed.sha256}/commit`, {}), 422, 'digest-mismatch', 'a commit of the wrong bytes');
        assert(first.actual === sent.sha256, `the refusal says actual ${String(first.actual)}, not the SHA-256 of the bytes sent`);
        expectRefusal(await session.request('POST', `updates/${claimed.sha256}/commit`, {}), 422, 'digest-mismatch', 'the same commit asked again');
        // Nothing remains: no session, and an offer starts again from 0.
        expectRefusal(await session.request('GET', `updates/${claimed.sha256}`), 404, 'unknown-session', 'GET after a digest mismatch');
        const again = await offer(session, ctx, claimed);
        assert(again.offset === 0, `an offer after the digest mismatch starts at ${again.offset}, not 0`);
        const doc = await ctx.probe.device();
        assert(!doc.slots.some((slot) => slot.sha256 === claimed.sha256 || slot.sha256 === sent.sha256), 'the refused image appears in a slot');
      } finally {
        await session.discard(claimed.sha256);
      }
    },
  },
  {
    section: '4.6',
    title: 'the rest of an image in one request without Content-Digest is streamed in and commits',
    async run(ctx) {
      await withOfferedImage(ctx, ctx.transferSize * 3, async (session, image) => {
        const reply = await ctx.probe.raw('PUT', `${updatesPath(image.sha256)}?offset=0`, { session, bytes: image.bytes });
        const ack = parseChunkAck(expectOk(reply, 'the single-request upload'));
        assert(ack.offset === image.bytes.length, `the single request was acknowledged up to ${ack.offset} of ${image.bytes.length}`);
        expectOk(await session.request('POST', `updates/${image.sha256}/commit`, {}), 'the commit');
      });
    },
  },
  {
    section: '4.4',
    title: 'with one image per slot, the device names the image for its inactive slot',
    needs: 'slot-images',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const images = ctx.doc.slots.slice(0, 2).map((slot) => ({ slot: slot.name, image: makeImage(ctx.transferSize + slot.name.length) }));
      const inactive = ctx.doc.slots.find((slot) => slot.state !== 'active')!.name;
      const expected = images.find((entry) => entry.slot === inactive)!.image;
      try {
        const first = images[0]!.image;
        const reply = await session.request('POST', 'updates', acceptableOffer(ctx.doc, first, { images: images.map(({ slot, image }) => ({ slot, sha256: image.sha256, size: image.bytes.length })) }));
        const opened = parseUpdateSession(expectOk(reply, 'an offer with slot images'));
        assert(opened.slot === inactive, `the session names slot ${opened.slot}; the inactive slot is ${inactive}`);
        assert(opened.sha256 === expected.sha256 && opened.size === expected.bytes.length, `the session asks for ${opened.sha256.slice(0, 12)}…, not the image linked for slot ${inactive}`);
        const wrong = images.find((entry) => entry.slot !== inactive)!;
        const onlyWrong = await session.request('POST', 'updates', acceptableOffer(ctx.doc, wrong.image, { images: [{ slot: wrong.slot, sha256: wrong.image.sha256, size: wrong.image.bytes.length }] }));
        expectStatus(onlyWrong, 400, 'an offer whose only image is for the active slot');
      } finally {
        for (const { image } of images) await session.discard(image.sha256);
      }
    },
  },
];
