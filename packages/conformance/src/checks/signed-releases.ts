// §4.9 signed releases: a device that lists signed-releases installs only releases whose manifest a key it trusts
// signed, checks the offered image against that manifest, and takes product, version and counters from it.
import { generateSigningKey, type SigningKey } from '@fieldflash/bundle';
import type { UpdateOffer } from '@fieldflash/protocol';
import { assert, type Check, type Context, expectRefusal, Skip } from '../harness.ts';
import { acceptableOffer, expectOk, type Image, makeImage, type Session } from '../probe.ts';
import { manifestFor, type ManifestClaims, signedRelease } from '../release-signer.ts';
import { activeSlot, reboot, verdict } from './flows.ts';

function signingKey(ctx: Context): SigningKey {
  if (!ctx.signingKey) throw new Skip('no --signing-key was given: pass the private key (PEM) whose public key the device trusts');
  return ctx.signingKey;
}

function claimsOf(offer: UpdateOffer): ManifestClaims {
  return { product: offer.product!, version: offer.version, sequence: offer.sequence!, securityVersion: offer.securityVersion!, chipFamily: offer.chipFamily };
}

/** Logs in, makes a fresh image and its acceptable offer, runs `steps`, and discards whatever the device kept. */
async function withOffer(ctx: Context, steps: (session: Session, offer: UpdateOffer, key: SigningKey, image: Image) => Promise<void>): Promise<void> {
  const key = signingKey(ctx);
  const session = await ctx.probe.login(ctx.clientId());
  const image = makeImage(ctx.transferSize);
  try {
    await steps(session, acceptableOffer(ctx.doc, image), key, image);
  } finally {
    await session.discard(image.sha256);
  }
}

function refusalCheck(title: string, status: number, code: string, build: (offer: UpdateOffer, key: SigningKey) => Promise<UpdateOffer>, detail?: (error: Record<string, unknown>) => void): Check {
  return {
    section: '4.9',
    title,
    needs: 'signed-releases',
    run: (ctx) =>
      withOffer(ctx, async (session, offer, key) => {
        const error = expectRefusal(await session.requestAsIs('POST', 'updates', await build(offer, key)), status, code, title);
        detail?.(error);
      }),
  };
}

type Claimed = 'product' | 'version' | 'sequence' | 'securityVersion';

/** Each lie: the offer claims more than its signed manifest (or, for product, the device's own product for another's release). */
const mismatches: Array<[Claimed, (offer: UpdateOffer) => UpdateOffer, (claims: ManifestClaims) => ManifestClaims]> = [
  ['sequence', (o) => ({ ...o, sequence: o.sequence! + 5 }), (c) => c],
  ['securityVersion', (o) => ({ ...o, securityVersion: o.securityVersion! + 1 }), (c) => c],
  ['version', (o) => ({ ...o, version: `${o.version.split('-')[0]}-conformance.1` }), (c) => c],
  ['product', (o) => o, (c) => ({ ...c, product: `${c.product}-other` })],
];

export const signedReleaseChecks: Check[] = [
  {
    section: '4.9',
    title: 'a device with signed-releases lists the ids of the keys it trusts, the suite\'s among them',
    needs: 'signed-releases',
    async run(ctx) {
      const ids = ctx.doc.trust?.keyIds ?? [];
      assert(ids.length > 0, 'the device lists signed-releases but no trust.keyIds');
      const key = signingKey(ctx);
      assert(ids.includes(key.publicKey.keyId), `--signing-key is key ${key.publicKey.keyId}; the device trusts ${ids.join(', ')}`);
    },
  },
  refusalCheck('an offer without a signed release is refused (signature-required)', 403, 'signature-required', async (offer) => offer),
  refusalCheck(
    'a release signed by a key the device does not trust is refused (untrusted-key)',
    403,
    'untrusted-key',
    async (offer) => {
      const stranger = await generateSigningKey('ed25519');
      return { ...offer, release: await signedRelease(manifestFor(offer, claimsOf(offer)), stranger) };
    },
    (error) => assert(typeof error.keyId === 'string' && /^[0-9a-f]{16}$/.test(error.keyId), `the refusal names no keyId: ${JSON.stringify(error)}`),
  ),
  refusalCheck('a manifest changed after it was signed is refused (bad-signature)', 422, 'bad-signature', async (offer, key) => {
    const release = await signedRelease(manifestFor(offer, claimsOf(offer)), key);
    const tampered = manifestFor(offer, { ...claimsOf(offer), securityVersion: claimsOf(offer).securityVersion + 1 });
    return { ...offer, release: { ...release, manifest: Buffer.from(tampered).toString('base64') } };
  }),
  refusalCheck('an image the signed manifest does not list is refused (not-in-release)', 422, 'not-in-release', async (offer, key) => {
    // A valid signature of another release, replayed with this image.
    const other = makeImage(offer.size);
    const otherOffer = { ...offer, sha256: other.sha256 };
    return { ...offer, release: await signedRelease(manifestFor(otherOffer, claimsOf(offer)), key) };
  }),
  {
    section: '4.9',
    title: 'an offer whose product, version or counters differ from its signed manifest is refused (image-mismatch)',
    needs: 'signed-releases',
    run: (ctx) =>
      withOffer(ctx, async (session, offer, key) => {
        for (const [field, lie, manifestSays] of mismatches) {
          const claims = manifestSays(claimsOf(offer));
          const lying = { ...lie(offer), release: await signedRelease(manifestFor(offer, claims), key) };
          const error = expectRefusal(await session.requestAsIs('POST', 'updates', lying), 422, 'image-mismatch', `an offer that says another ${field} than its signed manifest`);
          assert(error.field === field, `the refusal names field ${String(error.field)}, not ${field}`);
          assert(error.image === claims[field], `the refusal gives image ${String(error.image)}, not the signed ${claims[field]}`);
        }
      }),
  },
  {
    section: '4.9',
    title: 'a properly signed update is accepted and confirmed, and the device reports its counters from the signed manifest',
    needs: 'signed-releases',
    async run(ctx) {
      const key = signingKey(ctx);
      const session = await ctx.probe.login(ctx.clientId());
      const image = ctx.bootImage();
      const offer = acceptableOffer(ctx.doc, image);
      try {
        const signed = { ...offer, release: await signedRelease(manifestFor(offer, claimsOf(offer)), key) };
        const opened = expectOk(await session.requestAsIs('POST', 'updates', signed), 'a properly signed offer') as { offset: number; chunkSize: number };
        await session.sendFrom(image, opened.offset, opened.chunkSize);
        expectOk(await session.request('POST', `updates/${image.sha256}/commit`, {}), 'the commit of the signed image');
        await reboot(session);
        const doc = await verdict(ctx, image.sha256);
        assert(doc.lastUpdate?.outcome === 'confirmed', `the verdict is ${doc.lastUpdate?.outcome}: ${doc.lastUpdate?.reason ?? ''}`);
        assert(activeSlot(doc).sha256 === image.sha256, 'the signed image is not the active slot after its confirm');
        assert(doc.version === offer.version && doc.sequence === offer.sequence, `the device runs ${doc.version}, sequence ${doc.sequence}; the signed manifest says ${offer.version}, ${offer.sequence}`);
        assert(doc.counterSources?.sequence === 'signed-manifest', `counterSources.sequence is ${doc.counterSources?.sequence}, not signed-manifest`);
        const source = doc.counterSources?.securityVersion;
        assert(source === 'signed-manifest' || source === 'image', `counterSources.securityVersion is ${source}, not signed-manifest (or image, for an image whose app descriptor says it)`);
      } finally {
        await session.discard(image.sha256);
      }
    },
  },
];
