// Steps several checks share: open a session, send an image, commit, reboot and wait for the device's verdict.
import { API_BASE, type DeviceDocument, parseUpdateSession, type UpdateOffer, type UpdateSession } from '@fieldflash/protocol';
import { assert, type Context, fail } from '../harness.ts';
import { acceptableOffer, expectOk, type Image, makeImage, type Session } from '../probe.ts';

export async function offer(session: Session, ctx: Context, image: Image, change: Partial<UpdateOffer> = {}): Promise<UpdateSession> {
  const reply = await session.request('POST', 'updates', acceptableOffer(ctx.doc, image, change));
  const opened = parseUpdateSession(expectOk(reply, 'an acceptable offer'));
  assert(reply.status === 200, `an accepted offer answered ${reply.status}, not 200 (§1.1)`);
  return opened;
}

/** Logs in, offers a new image of `size` bytes, runs a check's steps on it, and discards the upload whatever happened. */
export async function withOfferedImage(ctx: Context, size: number, steps: (session: Session, image: Image, opened: UpdateSession) => Promise<void>): Promise<void> {
  const session = await ctx.probe.login(ctx.clientId());
  const image = makeImage(size);
  try {
    await steps(session, image, await offer(session, ctx, image));
  } finally {
    await session.discard(image.sha256);
  }
}

/** Offers, sends every byte and commits; returns the slot the device names. */
export async function sendAndCommit(session: Session, ctx: Context, image: Image): Promise<string> {
  const opened = await offer(session, ctx, image);
  await session.sendFrom(image, opened.offset, opened.chunkSize);
  const commit = expectOk(await session.request('POST', `updates/${image.sha256}/commit`, {}), 'the commit') as { slot: string; state: string };
  assert(commit.state === 'pending', `the commit reply says state ${commit.state}, not pending`);
  return commit.slot;
}

export async function reboot(session: Session): Promise<void> {
  const reply = await session.request('POST', 'reboot', {});
  assert(reply.status === 202, `reboot answered ${reply.status}, not 202`);
  const body = reply.body as { rebootingInMs?: unknown };
  assert(typeof body?.rebootingInMs === 'number', 'the reboot reply has no rebootingInMs');
}

/** Polls the device document, tolerating a device that is away rebooting, until it gives its verdict on `sha256`. */
export async function verdict(ctx: Context, sha256: string): Promise<DeviceDocument> {
  const deadline = Date.now() + ctx.verdictTimeoutMs;
  while (Date.now() < deadline) {
    try {
      const doc = await ctx.probe.device();
      if (doc.lastUpdate?.sha256 === sha256 && doc.lastUpdate.outcome !== 'pending') return doc;
    } catch {
      // rebooting: connection refused for a moment
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fail(`the device gave no verdict on ${sha256.slice(0, 12)}… within ${ctx.verdictTimeoutMs / 1000} s of the reboot`);
}

export function activeSlot(doc: DeviceDocument): { name: string; sha256?: string; version?: string } {
  const active = doc.slots.filter((slot) => slot.state === 'active');
  assert(active.length === 1, `the device lists ${active.length} active slots`);
  return active[0]!;
}

export const updatesPath = (sha256: string): string => `${API_BASE}/updates/${sha256}`;
