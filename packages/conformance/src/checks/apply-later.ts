// §5.1 send now, apply later: a reboot scheduled seconds ahead shows in the device document and boots the image at
// its time, not before; a cancelled one never fires; a restart before the time leaves the image waiting; strangers
// can neither set nor cancel one; bounds and a missing pending image are refused.
import { type DeviceDocument, parseScheduledReboot, SCHEDULED_REBOOT } from '@fieldflash/protocol';
import { assert, type Check, type Context, expectRefusal, expectStatus, fail, Skip } from '../harness.ts';
import { type Image, makeImage, type Session } from '../probe.ts';
import { activeSlot, reboot, sendAndCommit, verdict } from './flows.ts';

const SCHEDULE = 'scheduled-reboot';

/** Commits a bootable image and schedules the reboot into it `inSeconds` ahead; `asked` is when the request left. */
async function commitAndSchedule(ctx: Context, session: Session, inSeconds: number): Promise<{ image: Image; slot: string; asked: number }> {
  const image = ctx.bootImage();
  const slot = await sendAndCommit(session, ctx, image);
  const asked = Date.now();
  const reply = await session.request('PUT', SCHEDULE, { sha256: image.sha256, inSeconds });
  const scheduled = parseScheduledReboot(expectStatus(reply, 200, `PUT /${SCHEDULE} {"inSeconds": ${inSeconds}}`));
  assert(scheduled.sha256 === image.sha256, `the schedule names ${scheduled.sha256.slice(0, 12)}…, not the pending image ${image.sha256.slice(0, 12)}…`);
  assert(scheduled.inSeconds <= inSeconds && scheduled.inSeconds >= inSeconds - 1, `asked for ${inSeconds} s, the device says ${scheduled.inSeconds} s are left`);
  return { image, slot, asked };
}

/** The image is still pending, nothing else changed, and the schedule is (or is not) in the device document. */
function expectWaiting(ctx: Context, doc: DeviceDocument, image: Image, slot: string, scheduled: boolean, when: string): void {
  const listed = doc.slots.find((s) => s.name === slot);
  assert(listed?.state === 'pending' && listed.sha256 === image.sha256, `${when} slot ${slot} is ${JSON.stringify(listed)}, not pending with the image`);
  assert(doc.lastUpdate?.sha256 === image.sha256 && doc.lastUpdate.outcome === 'pending', `${when} lastUpdate is ${JSON.stringify(doc.lastUpdate)}`);
  assert(doc.version === ctx.doc.version, `${when} the device runs ${doc.version}, not ${ctx.doc.version}: it booted the image early`);
  if (scheduled) assert(doc.scheduledReboot?.sha256 === image.sha256, `${when} the device document shows scheduledReboot ${JSON.stringify(doc.scheduledReboot)}`);
  else assert(doc.scheduledReboot === undefined, `${when} the device document still shows scheduledReboot ${JSON.stringify(doc.scheduledReboot)}`);
}

/** The verdict on a scheduled image: confirmed, not before `asked + inSeconds`, and the schedule gone. */
async function expectAppliedAtItsTime(ctx: Context, image: Image, slot: string, asked: number, inSeconds: number): Promise<void> {
  const doc = await verdict(ctx, image.sha256);
  const waited = Date.now() - asked;
  assert(waited >= inSeconds * 1000, `the verdict came ${waited} ms after the reboot was scheduled ${inSeconds} s ahead: the device rebooted early`);
  assert(doc.lastUpdate?.outcome === 'confirmed', `the verdict is ${doc.lastUpdate?.outcome}: ${doc.lastUpdate?.reason ?? ''}`);
  const active = activeSlot(doc);
  assert(active.name === slot && active.sha256 === image.sha256, `after the scheduled reboot slot ${active.name} is active with ${active.sha256?.slice(0, 12)}…`);
  assert(doc.scheduledReboot === undefined, `after the reboot the device document still shows scheduledReboot ${JSON.stringify(doc.scheduledReboot)}`);
}

export const applyLaterChecks: Check[] = [
  {
    section: '5.1',
    title: 'a scheduled reboot out of bounds is bad-request, and one for an image that is not pending is not-pending',
    needs: SCHEDULED_REBOOT,
    async run(ctx) {
      if (ctx.doc.slots.some((s) => s.state === 'pending')) throw new Skip('an image is pending on the device; reboot it first');
      const session = await ctx.probe.login(ctx.clientId());
      const sha256 = makeImage(1000).sha256;
      const bodies = [{ inSeconds: 0 }, { inSeconds: 604_801 }, { inSeconds: 1.5 }, { inSeconds: '60' }, { inSeconds: null }, { sha256: null }, { sha256: sha256.toUpperCase() }, { inSeconds: undefined, at: '2026-12-03T02:00:00Z' }];
      for (const change of bodies) {
        const body = { sha256, inSeconds: 60, ...change };
        expectRefusal(await session.request('PUT', SCHEDULE, body), 400, 'bad-request', `PUT /${SCHEDULE} ${JSON.stringify(body)}`);
      }
      expectRefusal(await session.request('PUT', SCHEDULE, { sha256, inSeconds: 60 }), 409, 'not-pending', `PUT /${SCHEDULE} with no image pending`);
      const slot = activeSlot(ctx.doc);
      if (slot.sha256) expectRefusal(await session.request('PUT', SCHEDULE, { sha256: slot.sha256, inSeconds: 60 }), 409, 'not-pending', `PUT /${SCHEDULE} naming the running image`);
      const doc = await ctx.probe.device();
      assert(doc.scheduledReboot === undefined, `after refusals the device document shows scheduledReboot ${JSON.stringify(doc.scheduledReboot)}`);
    },
  },
  {
    section: '5.1',
    title: 'a reboot scheduled 2 s ahead shows in the device document, and the image boots at its time and is confirmed',
    needs: SCHEDULED_REBOOT,
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const { image, slot, asked } = await commitAndSchedule(ctx, session, 2);
      expectWaiting(ctx, await ctx.probe.device(), image, slot, true, 'right after scheduling');
      await expectAppliedAtItsTime(ctx, image, slot, asked, 2);
    },
  },
  {
    section: '5.1',
    title: 'a cancelled reboot never fires; a stranger can neither cancel nor set one',
    needs: SCHEDULED_REBOOT,
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const { image, slot, asked } = await commitAndSchedule(ctx, session, 1);
      expectRefusal(await ctx.probe.raw('DELETE', `/fieldflash/v1/${SCHEDULE}`), 401, 'unauthenticated', 'an unsigned DELETE of the schedule');
      expectRefusal(await ctx.probe.raw('PUT', `/fieldflash/v1/${SCHEDULE}`, { body: { sha256: image.sha256, inSeconds: 604_800 } }), 401, 'unauthenticated', 'an unsigned PUT of a schedule');
      expectStatus(await session.request('DELETE', SCHEDULE), 204, `DELETE /${SCHEDULE}`);
      expectStatus(await session.request('DELETE', SCHEDULE), 204, `DELETE /${SCHEDULE} sent again`);
      expectWaiting(ctx, await ctx.probe.device(), image, slot, false, 'after the cancel');
      // An absence is seen only after the moment it would have happened: one second past the cancelled time.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, asked + 2_000 - Date.now())));
      expectWaiting(ctx, await ctx.probe.device(), image, slot, false, 'past the cancelled time');
      // The image still boots on demand, which also leaves the device as the next check expects it.
      await reboot(session);
      const doc = await verdict(ctx, image.sha256);
      assert(doc.lastUpdate?.outcome === 'confirmed', `after the cancel, /reboot gave the verdict ${doc.lastUpdate?.outcome}`);
    },
  },
  {
    section: '5.1',
    title: 'a commit that replaces the pending image ends its schedule, and /reboot now ends the new one and boots the image',
    needs: SCHEDULED_REBOOT,
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      // The first image is replaced before it ever boots, so random bytes do; the second boots, so it is bootable.
      const first = makeImage(ctx.transferSize);
      await sendAndCommit(session, ctx, first);
      expectStatus(await session.request('PUT', SCHEDULE, { sha256: first.sha256, inSeconds: 600 }), 200, `PUT /${SCHEDULE} for the first image`);
      const image = ctx.bootImage();
      const slot = await sendAndCommit(session, ctx, image);
      const replaced = await ctx.probe.device();
      assert(replaced.lastUpdate?.sha256 === image.sha256, `after the second commit lastUpdate is ${JSON.stringify(replaced.lastUpdate)}`);
      assert(replaced.scheduledReboot === undefined, `the commit that replaced the first image left its schedule: ${JSON.stringify(replaced.scheduledReboot)}`);
      expectStatus(await session.request('PUT', SCHEDULE, { sha256: image.sha256, inSeconds: 600 }), 200, `PUT /${SCHEDULE} for the second image`);
      await reboot(session);
      const after = await verdict(ctx, image.sha256);
      assert(after.lastUpdate?.outcome === 'confirmed', `/reboot with a schedule set gave the verdict ${after.lastUpdate?.outcome}: ${after.lastUpdate?.reason ?? ''}`);
      assert(activeSlot(after).name === slot, `after /reboot slot ${activeSlot(after).name} is active, not ${slot}`);
      assert(after.scheduledReboot === undefined, `after /reboot the device document still shows scheduledReboot ${JSON.stringify(after.scheduledReboot)}`);
    },
  },
  {
    section: '5.1',
    title: 'a restart before the scheduled time keeps the image waiting and the schedule, which still fires',
    needs: 'test-hooks',
    async run(ctx) {
      if (!ctx.doc.capabilities.includes(SCHEDULED_REBOOT)) throw new Skip(`the device does not list the capability ${SCHEDULED_REBOOT}`);
      const session = await ctx.probe.login(ctx.clientId());
      const inSeconds = 4;
      const { image, slot, asked } = await commitAndSchedule(ctx, session, inSeconds);
      const before = (await ctx.probe.device()).scheduledReboot;
      expectStatus(await session.request('POST', 'test/restart', {}), 202, 'the restart hook');
      // Logins do not survive a restart (§3.3): the first refusal of this login says the device has restarted.
      while ((await session.request('DELETE', `updates/${'0'.repeat(64)}`).catch(() => undefined))?.status !== 401) {
        if (Date.now() - asked > inSeconds * 1000) fail(`the device did not come back from the restart within the ${inSeconds} s of the schedule`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const doc = await ctx.probe.device();
      expectWaiting(ctx, doc, image, slot, true, 'after the restart');
      assert(doc.scheduledReboot?.at === before?.at, `the restart moved the schedule from ${before?.at} to ${doc.scheduledReboot?.at}`);
      await expectAppliedAtItsTime(ctx, image, slot, asked, inSeconds);
    },
  },
];
