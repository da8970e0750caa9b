// §5 commit, reboot, confirm, rollback: the device's own verdict after each kind of test boot.
import { assert, type Check, type Context } from '../harness.ts';
import { acceptableOffer, expectOk, makeImage } from '../probe.ts';
import { activeSlot, reboot, sendAndCommit, verdict } from './flows.ts';

/** Commits an image, optionally arms a test hook, reboots and returns the device's verdict. */
async function testBoot(ctx: Context, arm?: { hook: string; body: unknown }) {
  const session = await ctx.probe.login(ctx.clientId());
  const image = arm ? makeImage(ctx.transferSize) : ctx.bootImage();
  const before = activeSlot(ctx.doc);
  const slot = await sendAndCommit(session, ctx, image);
  assert(slot !== before.name, `the image was committed into slot ${slot}, the running one`);
  const pending = await ctx.probe.device();
  const listed = pending.slots.find((s) => s.name === slot);
  assert(listed?.state === 'pending' && listed.sha256 === image.sha256, `after commit slot ${slot} is ${JSON.stringify(listed)}, not pending with the image`);
  assert(pending.lastUpdate?.sha256 === image.sha256 && pending.lastUpdate.outcome === 'pending', `after commit lastUpdate is ${JSON.stringify(pending.lastUpdate)}`);
  // The counters describe the running image: a pending one changes none of them (§2).
  assert(pending.version === ctx.doc.version && pending.sequence === ctx.doc.sequence, `after commit the device says ${pending.version}, sequence ${pending.sequence}, before its test boot`);
  if (arm) expectOk(await session.request('POST', arm.hook, arm.body), `the test hook ${arm.hook}`);
  await reboot(session);
  return { image, before, slot, doc: await verdict(ctx, image.sha256) };
}

export const bootChecks: Check[] = [
  {
    section: '5',
    title: 'commit and reboot: the image boots from the inactive slot and is confirmed, and only then do the counters change',
    async run(ctx) {
      const { image, before, slot, doc } = await testBoot(ctx);
      assert(doc.lastUpdate?.outcome === 'confirmed', `the verdict is ${doc.lastUpdate?.outcome}: ${doc.lastUpdate?.reason ?? ''}`);
      const active = activeSlot(doc);
      assert(active.name === slot && active.sha256 === image.sha256, `slot ${active.name} is active after the update, with ${active.sha256?.slice(0, 12)}…`);
      assert(doc.version === doc.lastUpdate.version, `the device runs ${doc.version}, not the confirmed ${doc.lastUpdate.version}`);
      assert(doc.sequence === ctx.doc.sequence + 1, `after confirm the device says sequence ${doc.sequence}; the image has ${ctx.doc.sequence + 1}`);
      const previous = doc.slots.find((s) => s.name === before.name);
      assert(previous?.state === 'confirmed' && previous.sha256 === before.sha256, `the previous slot is ${JSON.stringify(previous)}, not the confirmed rollback target`);
    },
  },
  {
    section: '5',
    title: 'an image that fails its health check is rolled back, with the reason',
    needs: 'test-hooks',
    async run(ctx) {
      const { before, doc } = await testBoot(ctx, { hook: 'test/health-check', body: { exitCode: 3 } });
      assert(doc.lastUpdate?.outcome === 'rolled-back', `the verdict is ${doc.lastUpdate?.outcome}, not rolled-back`);
      assert(typeof doc.lastUpdate.reason === 'string' && doc.lastUpdate.reason.length > 0, 'the rollback has no reason');
      const active = activeSlot(doc);
      assert(active.name === before.name && active.sha256 === before.sha256 && doc.version === ctx.doc.version, `after the rollback slot ${active.name} runs ${doc.version}`);
    },
  },
  {
    section: '5',
    title: 'an image that never confirms (power lost during its test boot) is rolled back on the next boot',
    needs: 'test-hooks',
    async run(ctx) {
      const { before, slot, doc } = await testBoot(ctx, { hook: 'test/power-cut', body: {} });
      assert(doc.lastUpdate?.outcome === 'rolled-back', `the verdict is ${doc.lastUpdate?.outcome}, not rolled-back`);
      assert(typeof doc.lastUpdate.reason === 'string' && doc.lastUpdate.reason.length > 0, 'the rollback has no reason');
      const active = activeSlot(doc);
      assert(active.name === before.name && active.sha256 === before.sha256, `after the rollback slot ${active.name} is active with ${active.sha256?.slice(0, 12)}…`);
      // It came back as after any restart: the image is gone from its slot and the device takes a new update.
      assert(doc.slots.find((s) => s.name === slot)?.state === 'empty', `after the rollback slot ${slot} is not empty`);
      const session = await ctx.probe.login(ctx.clientId('after'));
      const next = makeImage(ctx.transferSize);
      try {
        expectOk(await session.request('POST', 'updates', acceptableOffer(await ctx.probe.device(), next)), 'an offer after the device came back');
      } finally {
        await session.discard(next.sha256);
      }
    },
  },
];
