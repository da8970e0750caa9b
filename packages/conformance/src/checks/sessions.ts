// §4.2 what a session is (the stored partial upload, not the hold), §5 a commit asked again, a pending slot
// replaced by a later offer, and any restart with a pending slot as its test boot.
import { parseCommitReply, parseUpdateSession } from '@fieldflash/protocol';
import { assert, type Check, type Context, expectRefusal, expectStatus, fail, refusal } from '../harness.ts';
import { acceptableOffer, expectOk, makeImage, type Session } from '../probe.ts';
import { offer, sendAndCommit, updatesPath, verdict } from './flows.ts';

/** Shortens the hold's idle timeout through the test hook for `steps`, and puts it back afterwards. */
async function withShortHold<T>(ctx: Context, session: Session, seconds: number, steps: () => Promise<T>): Promise<T> {
  const before = expectOk(await session.request('POST', 'test/timeouts', { holdIdleSeconds: seconds }), 'the timeouts test hook') as { holdIdleSeconds?: number };
  try {
    return await steps();
  } finally {
    if (typeof before.holdIdleSeconds === 'number') await session.request('POST', 'test/timeouts', { holdIdleSeconds: before.holdIdleSeconds });
  }
}

/**
 * One run of the hold-lapse check with the hold's idle timeout set to `holdSeconds`. It says 'too-slow' instead of
 * judging when a request that should be refused as busy was answered later than the hold after the holder's own
 * request was sent, since the hold may then rightly have lapsed.
 */
async function holdLapseTrial(ctx: Context, holdSeconds: number): Promise<'judged' | 'too-slow'> {
  const first = await ctx.probe.login(ctx.clientId('first'));
  const second = await ctx.probe.login(ctx.clientId('second'));
  const chunkSize = ctx.doc.chunk.size;
  const image = makeImage(ctx.transferSize);
  const holdMs = holdSeconds * 1000;
  try {
    return await withShortHold(ctx, first, holdSeconds, async () => {
      await offer(first, ctx, image);
      let held = Date.now();
      expectOk(await first.chunk(image.sha256, 0, image.bytes.subarray(0, chunkSize)), 'the first chunk');
      const during = await second.request('GET', `updates/${image.sha256}`);
      if (refusal(during).code !== 'busy' && Date.now() - held > holdMs) return 'too-slow';
      expectRefusal(during, 409, 'busy', 'another client\'s GET while the hold lasts');
      // The behaviour under test is a timer: wait it out, half a second past the hold.
      await new Promise((resolve) => setTimeout(resolve, holdMs + 500));
      const resumed = parseUpdateSession(expectOk(await second.request('GET', `updates/${image.sha256}`), 'another client\'s GET after the hold lapsed, without an offer'));
      assert(resumed.offset === chunkSize, `after the lapse the session is at ${resumed.offset}, not ${chunkSize}`);
      held = Date.now();
      const ack = expectOk(await second.chunk(image.sha256, chunkSize, image.bytes.subarray(chunkSize, 2 * chunkSize)), 'a chunk after the lapse, without an offer') as { offset: number };
      assert(ack.offset === 2 * chunkSize, `the chunk after the lapse was acknowledged at ${ack.offset}`);
      const taken = await first.chunk(image.sha256, 2 * chunkSize, image.bytes.subarray(2 * chunkSize, 3 * chunkSize));
      if (refusal(taken).code !== 'busy' && Date.now() - held > holdMs) return 'too-slow';
      expectRefusal(taken, 409, 'busy', 'the first client\'s chunk once the second holds the device');
      return 'judged';
    });
  } finally {
    // Whichever client holds the device when a trial ends, the partial upload goes.
    await second.discard(image.sha256);
    await first.discard(image.sha256);
  }
}

export const sessionChecks: Check[] = [
  {
    section: '4.2',
    title: 'a session is the stored partial upload: after its hold lapsed, GET and chunks work without a new offer, for any client',
    needs: 'test-hooks',
    async run(ctx) {
      // A slow device can take longer to answer than a short hold lasts; the hold is then made longer, never the
      // verdict looser: "busy" is required whenever the refused request was answered within the hold.
      for (let holdSeconds = 1; ; holdSeconds *= 2) {
        if (await holdLapseTrial(ctx, holdSeconds) === 'judged') return;
        if (holdSeconds >= 8) fail(`the device took longer than an ${holdSeconds} s hold to answer two requests, so its hold could not be judged`);
      }
    },
  },
  {
    section: '4.2',
    title: 'DELETE of an image without a partial upload answers 204; another client\'s DELETE while the hold lasts is busy',
    async run(ctx) {
      const first = await ctx.probe.login(ctx.clientId('first'));
      const second = await ctx.probe.login(ctx.clientId('second'));
      const image = makeImage(ctx.transferSize);
      const unknown = makeImage(100);
      try {
        expectStatus(await first.request('DELETE', `updates/${unknown.sha256}`), 204, 'DELETE of an image the device never saw');
        await offer(first, ctx, image);
        expectRefusal(await second.request('DELETE', `updates/${image.sha256}`), 409, 'busy', 'another client\'s DELETE while the first holds the device');
        expectStatus(await first.request('DELETE', `updates/${image.sha256}`), 204, 'DELETE by the holder');
        expectStatus(await first.request('DELETE', `updates/${image.sha256}`), 204, 'the same DELETE again');
        expectRefusal(await first.request('GET', `updates/${image.sha256}`), 404, 'unknown-session', 'GET after DELETE');
      } finally {
        await first.discard(image.sha256);
      }
    },
  },
  {
    section: '5',
    title: 'a commit asked again (its reply lost) gets the same 200 reply, with an empty body too',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      const opened = await offer(session, ctx, image);
      await session.sendFrom(image, opened.offset, opened.chunkSize);
      const first = await session.request('POST', `updates/${image.sha256}/commit`, {});
      expectStatus(first, 200, 'the commit');
      const reply = parseCommitReply(first.body);
      const path = `${updatesPath(image.sha256)}/commit`;
      const again = await ctx.probe.raw('POST', path, { headers: await session.authHeaders('POST', path) });
      expectStatus(again, 200, 'the same commit again, with an empty body');
      const repeated = parseCommitReply(again.body);
      assert(repeated.slot === reply.slot && repeated.state === reply.state, `the second commit says ${JSON.stringify(repeated)}, the first ${JSON.stringify(reply)}`);
    },
  },
  {
    section: '5',
    title: 'an offer while a slot is pending is accepted; its commit replaces the pending image and lastUpdate names it',
    async run(ctx) {
      const first = await ctx.probe.login(ctx.clientId('first'));
      const second = await ctx.probe.login(ctx.clientId('second'));
      const replaced = makeImage(ctx.transferSize);
      const replacing = makeImage(ctx.transferSize + 1);
      const slot = await sendAndCommit(first, ctx, replaced);
      const opened = parseUpdateSession(expectOk(await second.request('POST', 'updates', acceptableOffer(ctx.doc, replacing)), 'another client\'s offer while a slot is pending'));
      assert(opened.slot === slot, `the offer while slot ${slot} is pending names slot ${opened.slot}`);
      await second.sendFrom(replacing, opened.offset, opened.chunkSize);
      expectStatus(await second.request('POST', `updates/${replacing.sha256}/commit`, {}), 200, 'the commit that replaces the pending image');
      const doc = await ctx.probe.device();
      const listed = doc.slots.find((s) => s.name === slot);
      assert(listed?.state === 'pending' && listed.sha256 === replacing.sha256, `slot ${slot} is ${JSON.stringify(listed)}, not pending with the later image`);
      assert(doc.lastUpdate?.sha256 === replacing.sha256 && doc.lastUpdate.outcome === 'pending', `lastUpdate is ${JSON.stringify(doc.lastUpdate)}, not the later image, pending`);
      assert(!doc.slots.some((s) => s.sha256 === replaced.sha256), 'the replaced image still appears in a slot');
    },
  },
  {
    section: '5',
    title: 'a restart that is not /reboot test-boots the pending slot too, and counters change at confirm, not at commit',
    needs: 'test-hooks',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = ctx.bootImage();
      const offered = acceptableOffer(ctx.doc, image);
      const opened = await offer(session, ctx, image);
      await session.sendFrom(image, opened.offset, opened.chunkSize);
      expectStatus(await session.request('POST', `updates/${image.sha256}/commit`, {}), 200, 'the commit');
      const pending = await ctx.probe.device();
      assert(
        pending.version === ctx.doc.version && pending.sequence === ctx.doc.sequence && pending.securityVersion === ctx.doc.securityVersion,
        `at commit the device document already says ${pending.version}, sequence ${pending.sequence}, security version ${pending.securityVersion}; they describe the running image until it is confirmed`,
      );
      expectStatus(await session.request('POST', 'test/restart', {}), 202, 'the restart test hook');
      const doc = await verdict(ctx, image.sha256);
      assert(doc.lastUpdate?.outcome === 'confirmed', `after a restart the verdict is ${doc.lastUpdate?.outcome}: ${doc.lastUpdate?.reason ?? ''}`);
      assert(doc.version === offered.version && doc.sequence === offered.sequence, `after confirm the device says ${doc.version}, sequence ${doc.sequence}; the image is ${offered.version}, sequence ${offered.sequence}`);
    },
  },
];
