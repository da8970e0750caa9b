// A device that holds trusted keys installs signed releases only (docs/protocol.md §4.9). The offer's `release` is
// checked in the document's order: present, readable, signed by a trusted key, signature valid, a FieldFlash
// manifest, the offered image(s) listed in it for this device's chip. The release's product, version and counters
// are then the signed manifest's, never the client's; the SHA-256 check at commit binds the bytes to them.
import { BundleError, NATIVE_FORMAT, NATIVE_MANIFEST_NAME, readNativeManifest, type ReleaseDraft } from '@fieldflash/bundle';
import { checkManifestSignature, type TrustedKey } from '@fieldflash/bundle/trust';
import { fromBase64, MAX_SECURITY_VERSION, MAX_SEQUENCE, type UpdateOffer } from '@fieldflash/protocol';
import { AgentRefusal } from './errors.ts';
import type { ImageInfo } from './journal.ts';

/** What the signed manifest says about the release an offer belongs to. */
export interface SignedFacts {
  keyId: string;
  product: string;
  version: string;
  sequence: number;
  securityVersion: number;
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

async function verifiedManifest(offer: UpdateOffer, keys: readonly TrustedKey[]): Promise<{ bytes: Uint8Array; keyId: string }> {
  const release = offer.release;
  if (!release) {
    throw new AgentRefusal('signature-required', 'This device installs signed releases only, and the offer carries no signature. Send a release that has fieldflash.json and fieldflash.json.sig (a FieldFlash client sends them with the offer); ask the publisher to sign it with `npm run release -- sign`.');
  }
  const bytes = fromBase64(release.manifest);
  const signature = new TextEncoder().encode(JSON.stringify(release.signature));
  const check = await checkManifestSignature(bytes, signature, keys);
  switch (check.status) {
    case 'signed':
      return { bytes, keyId: check.key.keyId };
    case 'untrusted-key': {
      const known = keys.map((k) => k.keyId).join(', ');
      throw new AgentRefusal('untrusted-key', `The release is signed with key ${check.keyId}, which this device does not trust (it trusts ${known}). Install a release signed with one of those keys, or add the publisher's public key to the device's trusted keys.`, { keyId: check.keyId });
    }
    case 'bad-signature':
    case 'revoked-key':
      throw new AgentRefusal('bad-signature', `The signature of key ${check.key.keyId} does not match the manifest: the release was changed after it was signed. Do not install it; get the release again from its publisher.`, { keyId: check.key.keyId });
    case 'malformed':
    case 'unsigned':
      throw new AgentRefusal('bad-request', `The offer's release signature cannot be read: ${check.status === 'malformed' ? check.problem : 'it is missing'}.`);
  }
}

function readManifest(bytes: Uint8Array): ReleaseDraft {
  const unsupported = (why: string): AgentRefusal =>
    new AgentRefusal('unsupported-manifest', `The signed manifest ${why}. This device checks images against a FieldFlash manifest (${NATIVE_MANIFEST_NAME}, format "${NATIVE_FORMAT}"); ask the publisher to pack the release with \`npm run release -- pack\` and sign that.`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw unsupported('is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || (json as Record<string, unknown>).format !== NATIVE_FORMAT) {
    throw unsupported(`is not a FieldFlash release manifest (its "format" is not "${NATIVE_FORMAT}")`);
  }
  let draft: ReleaseDraft;
  try {
    draft = readNativeManifest(json as Record<string, unknown>, NATIVE_MANIFEST_NAME);
  } catch (error) {
    if (error instanceof BundleError) throw unsupported(`cannot be read: ${error.message}`);
    throw error;
  }
  // The device keeps counters in the protocol's bounds (§4.1); a manifest beyond them cannot be recorded.
  if ((draft.sequence ?? 0) > MAX_SEQUENCE || (draft.securityVersion ?? 0) > MAX_SECURITY_VERSION) {
    throw unsupported(`states counters beyond what a device keeps (sequence at most ${MAX_SEQUENCE}, security version at most ${MAX_SECURITY_VERSION})`);
  }
  return draft;
}

/** The paths of the files a build gives a device: its OTA images and its first-install parts. */
function pathsOf(build: ReleaseDraft['builds'][number]): string[] {
  const ota = build.ota ? (build.ota.kind === 'either' ? [build.ota.image] : [build.ota.slot0, build.ota.slot1]) : [];
  return [...ota, ...(build.flash?.parts.map((p) => p.path) ?? [])];
}

/** Each image the offer names must be a file of the signed release that a target for this device's chip gives it. */
function checkImages(draft: ReleaseDraft, offer: UpdateOffer, chipFamily: string): void {
  const images = [{ sha256: offer.sha256, size: offer.size }, ...(offer.images ?? [])];
  for (const image of images) {
    const file = draft.files.find((f) => f.sha256 === image.sha256 && f.size === image.size);
    const builds = file ? draft.builds.filter((b) => pathsOf(b).includes(file.path)) : [];
    if (!file || builds.length === 0) {
      throw new AgentRefusal('not-in-release', `The offered image (${image.sha256.slice(0, 12)}…, ${image.size} bytes) is not an image the signed manifest of ${draft.product} ${draft.declaredVersion} lists. Send an image of that release, with that release's manifest and signature.`);
    }
    const chips = builds.map((b) => b.target.chipFamily).filter((c): c is NonNullable<typeof c> => c !== undefined);
    if (!chips.some((c) => same(c, chipFamily))) {
      throw new AgentRefusal('incompatible-chip', `The signed manifest gives ${file.path} to ${chips.join(', ') || 'no chip'}; this device's chip is ${chipFamily}.`, { device: chipFamily, image: chips[0] ?? 'none' });
    }
  }
}

/** The offer may repeat the manifest's facts, but never contradict them (422 image-mismatch names the signed value). */
function checkClaims(facts: SignedFacts, offer: UpdateOffer): void {
  const claims: Array<[string, string | number | undefined, string | number, boolean]> = [
    ['product', offer.product, facts.product, offer.product === undefined || same(offer.product, facts.product)],
    ['version', offer.version, facts.version, offer.version === facts.version],
    ['sequence', offer.sequence, facts.sequence, offer.sequence === undefined || offer.sequence === facts.sequence],
    ['securityVersion', offer.securityVersion, facts.securityVersion, offer.securityVersion === undefined || offer.securityVersion === facts.securityVersion],
  ];
  for (const [field, offered, signed, agrees] of claims) {
    if (agrees) continue;
    throw new AgentRefusal('image-mismatch', `The offer says ${field} ${String(offered)}, but the signed manifest says ${signed}; the device goes by the signed manifest. Offer the release as its manifest describes it.`, { field, offered: offered!, image: signed });
  }
}

/** Verifies the offer's signed release against `keys` and returns the facts the device records for its image. */
export async function verifyOfferedRelease(offer: UpdateOffer, keys: readonly TrustedKey[], device: { product: string; chipFamily: string }): Promise<SignedFacts> {
  const { bytes, keyId } = await verifiedManifest(offer, keys);
  const draft = readManifest(bytes);
  checkImages(draft, offer, device.chipFamily);
  const facts: SignedFacts = { keyId, product: draft.product, version: draft.declaredVersion, sequence: draft.sequence ?? 0, securityVersion: draft.securityVersion ?? 0 };
  checkClaims(facts, offer);
  if (!same(facts.product, device.product)) {
    throw new AgentRefusal('incompatible-product', `The signed manifest is a release of ${facts.product}; this device runs ${device.product}.`, { device: device.product, image: facts.product });
  }
  return facts;
}

/** What the device records for an image offered with a verified release: the manifest's facts, never the offer's. */
export function signedImage(target: { sha256: string; size: number }, signed: SignedFacts): ImageInfo {
  return {
    ...target,
    version: signed.version,
    sequence: signed.sequence,
    securityVersion: signed.securityVersion,
    counterSources: { sequence: 'signed-manifest', securityVersion: 'signed-manifest' },
    signedRelease: { keyId: signed.keyId, product: signed.product },
  };
}

/** Whether a kept partial upload was offered with the same verified facts as `image`. */
export function sameSignedFacts(kept: ImageInfo, image: ImageInfo): boolean {
  const a = kept.signedRelease;
  const b = image.signedRelease;
  return Boolean(a && b && a.keyId === b.keyId && a.product === b.product) && kept.version === image.version && kept.sequence === image.sequence && kept.securityVersion === image.securityVersion;
}
