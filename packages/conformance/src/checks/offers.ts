// §4.1 and §6: every refusal of an offer, with its stable code, and §4.5 one session at a time.
import type { UpdateOffer } from '@fieldflash/protocol';
import semver from 'semver';
import { assert, type Check, type Context, expectRefusal, Skip } from '../harness.ts';
import { acceptableOffer, expectOk, makeImage } from '../probe.ts';

/** Offers an image with `change` applied and expects the refusal `code` (status 409 unless said). */
function refusalCheck(section: string, title: string, code: string, change: (ctx: Context) => Partial<UpdateOffer>, status = 409, detail?: (error: Record<string, unknown>, ctx: Context) => void): Check {
  return {
    section,
    title,
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      const offer = acceptableOffer(ctx.doc, image, change(ctx));
      try {
        const error = expectRefusal(await session.request('POST', 'updates', offer), status, code, `an offer with ${JSON.stringify(change(ctx))}`);
        detail?.(error, ctx);
      } finally {
        await session.discard(image.sha256);
      }
    },
  };
}

function olderVersion(version: string): string {
  const parsed = semver.parse(version);
  if (!parsed || (parsed.major === 0 && parsed.minor === 0 && parsed.patch === 0)) throw new Skip(`the device runs ${version}; there is no older release version to offer`);
  if (parsed.patch > 0) return `${parsed.major}.${parsed.minor}.${parsed.patch - 1}`;
  if (parsed.minor > 0) return `${parsed.major}.${parsed.minor - 1}.0`;
  return `${parsed.major - 1}.0.0`;
}

export const offerChecks: Check[] = [
  refusalCheck('4.1', 'an image for another chip family is refused (incompatible-chip)', 'incompatible-chip', (ctx) => ({ chipFamily: ctx.doc.chipFamily.toUpperCase() === 'ESP32-C3' ? 'ESP32-S3' : 'ESP32-C3' })),
  refusalCheck('4.1', 'an image for another board is refused (incompatible-board)', 'incompatible-board', () => ({ board: 'conformance-other-board' })),
  refusalCheck('4.1', 'an image for another hardware revision is refused (incompatible-hardware)', 'incompatible-hardware', () => ({ hardwareRevision: 'conformance-rev-99' })),
  refusalCheck('4.1', 'an image above maxImageSize is refused (too-large) and names the limit', 'too-large', (ctx) => ({ size: ctx.doc.maxImageSize + 1 }), 413, (error, ctx) => {
    assert(error.maxImageSize === ctx.doc.maxImageSize, `maxImageSize in the refusal is ${String(error.maxImageSize)}`);
  }),
  refusalCheck('4.1', 'an image below the device\'s security version is refused, even with force (security-version-too-low)', 'security-version-too-low', (ctx) => {
    if (ctx.doc.securityVersion < 1) throw new Skip('the device\'s security version is 0; nothing lies below it');
    return { securityVersion: ctx.doc.securityVersion - 1, force: true };
  }),
  {
    section: '4.1',
    title: 'an offer without securityVersion counts as 0 and is refused by a device above 0; one without sequence is not compared',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      try {
        const { sequence: _sequence, ...unsequenced } = acceptableOffer(ctx.doc, image);
        expectOk(await session.request('POST', 'updates', unsequenced), 'an offer without sequence');
        if (ctx.doc.securityVersion < 1) throw new Skip('the device\'s security version is 0; an offer without one is accepted');
        const { securityVersion: _securityVersion, ...unsecured } = acceptableOffer(ctx.doc, image);
        expectRefusal(await session.request('POST', 'updates', unsecured), 409, 'security-version-too-low', `an offer without securityVersion to a device at ${ctx.doc.securityVersion}`);
      } finally {
        await session.discard(image.sha256);
      }
    },
  },
  refusalCheck('4.1', 'an image below the device\'s sequence is refused (sequence-too-low)', 'sequence-too-low', (ctx) => {
    if (ctx.doc.sequence < 1) throw new Skip('the device\'s sequence is 0; nothing lies below it');
    return { sequence: ctx.doc.sequence - 1 };
  }),
  refusalCheck('4.1', 'an older version without force is refused (downgrade)', 'downgrade', (ctx) => ({ version: olderVersion(ctx.doc.version), sequence: ctx.doc.sequence })),
  {
    section: '4.1',
    title: 'an older version with force is accepted',
    async run(ctx) {
      const session = await ctx.probe.login(ctx.clientId());
      const image = makeImage(ctx.transferSize);
      try {
        const reply = await session.request('POST', 'updates', acceptableOffer(ctx.doc, image, { version: olderVersion(ctx.doc.version), sequence: ctx.doc.sequence, force: true }));
        expectOk(reply, 'a forced downgrade offer');
      } finally {
        await session.discard(image.sha256);
      }
    },
  },
  {
    section: '4.5',
    title: 'two clients at once: the second is refused (busy) until the first releases the device',
    async run(ctx) {
      const first = await ctx.probe.login(ctx.clientId('first'));
      const second = await ctx.probe.login(ctx.clientId('second'));
      const mine = makeImage(ctx.transferSize);
      const theirs = makeImage(ctx.transferSize);
      try {
        expectOk(await first.request('POST', 'updates', acceptableOffer(ctx.doc, mine)), 'the first client\'s offer');
        expectOk(await first.chunk(mine.sha256, 0, mine.bytes.subarray(0, ctx.doc.chunk.size)), 'the first client\'s chunk');
        expectRefusal(await second.request('POST', 'updates', acceptableOffer(ctx.doc, theirs)), 409, 'busy', 'the second client\'s offer');
        expectRefusal(await second.chunk(mine.sha256, ctx.doc.chunk.size, mine.bytes.subarray(ctx.doc.chunk.size, 2 * ctx.doc.chunk.size)), 409, 'busy', 'the second client\'s chunk into the first\'s session');
        const held = expectOk(await first.request('GET', `updates/${mine.sha256}`), 'the first client\'s session') as { offset: number };
        assert(held.offset === Math.min(ctx.doc.chunk.size, mine.bytes.length), `the first client's session is at ${held.offset} after the second client's attempts`);
        const released = await first.request('DELETE', `updates/${mine.sha256}`);
        assert(released.status === 204, `DELETE answered ${released.status}, not 204`);
        expectOk(await second.request('POST', 'updates', acceptableOffer(ctx.doc, theirs)), 'the second client\'s offer once the device is free');
      } finally {
        await first.discard(mine.sha256);
        await second.discard(theirs.sha256);
      }
    },
  },
];
