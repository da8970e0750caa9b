// The offer's checks (docs/protocol.md §4.1), in the order the document gives: the first that fails is the refusal.
// Busy is checked by the caller first; what the image itself says is checked at commit (image-claims.ts). A device
// with trusted keys checks the signed release (§4.9) after compatibility, and compares the signed counters.
import type { UpdateOffer } from '@fieldflash/protocol';
import semver from 'semver';
import type { Device } from './device.ts';
import { AgentRefusal } from './errors.ts';
import { type SignedFacts, verifyOfferedRelease } from './signed-release.ts';

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

export interface CheckedOffer {
  /** The image the device receives (with `images`, the one for the inactive slot). */
  target: { sha256: string; size: number };
  /** With trusted keys: the signed manifest's facts, which replace the offer's claims. */
  signed?: SignedFacts;
}

/** The image the offer asks the device to receive, and the facts it is judged by, once every check passed. */
export async function checkOffer(device: Device, offer: UpdateOffer): Promise<CheckedOffer> {
  const { config } = device;
  const active = device.store.activeImage;
  if (!same(offer.chipFamily, config.chipFamily)) {
    throw new AgentRefusal('incompatible-chip', `The image is built for ${offer.chipFamily}; this device's chip is ${config.chipFamily}.`, { device: config.chipFamily, image: offer.chipFamily });
  }
  if (offer.board !== undefined && !same(offer.board, config.board)) {
    throw new AgentRefusal('incompatible-board', `The image is built for the board ${offer.board}; this device's board is ${config.board}.`, { device: config.board, image: offer.board });
  }
  if (offer.hardwareRevision !== undefined && !same(offer.hardwareRevision, config.hardwareRevision)) {
    throw new AgentRefusal('incompatible-hardware', `The image is built for hardware revision ${offer.hardwareRevision}; this device is revision ${config.hardwareRevision}.`, { device: config.hardwareRevision, image: offer.hardwareRevision });
  }
  // An offer without a product (a bare image from a foreign format) is left to the other checks.
  if (offer.product !== undefined && !same(offer.product, config.product)) {
    throw new AgentRefusal('incompatible-product', `The image is a release of ${offer.product}; this device runs ${config.product}.`, { device: config.product, image: offer.product });
  }
  let target = { sha256: offer.sha256, size: offer.size };
  if (offer.images) {
    const slot = device.store.inactiveSlot;
    const image = offer.images.find((entry) => entry.slot === slot);
    if (!image) throw new AgentRefusal('bad-request', `The offer links images for slots ${offer.images.map((i) => i.slot).join(', ')}, but this device writes slot ${slot}.`);
    target = { sha256: image.sha256, size: image.size };
  }
  if (target.size > config.maxImageSize) {
    throw new AgentRefusal('too-large', `The image is ${target.size} bytes; this device holds at most ${config.maxImageSize}.`, { maxImageSize: config.maxImageSize });
  }
  const signed = device.trustedKeys ? await verifyOfferedRelease(offer, device.trustedKeys, config) : undefined;
  const claims = signed ?? offer;
  checkSecurityVersion(device, claims.securityVersion ?? 0);
  if (claims.sequence !== undefined && claims.sequence < active.sequence) {
    throw new AgentRefusal('sequence-too-low', `The image has sequence ${claims.sequence}; this device runs sequence ${active.sequence} and never goes back.`, { device: active.sequence, image: claims.sequence });
  }
  // Both versions passed the semver library's own reading (protocol fields.ts, or the manifest reader), so
  // comparing cannot throw.
  if (!offer.force && semver.lt(claims.version, active.version)) {
    throw new AgentRefusal('downgrade', `The device runs ${active.version}; ${claims.version} is older. Send with force to downgrade.`, { device: active.version, image: claims.version });
  }
  return signed ? { target, signed } : { target };
}

export function checkSecurityVersion(device: Device, securityVersion: number): void {
  if (securityVersion < device.securityVersion) {
    throw new AgentRefusal('security-version-too-low', `The image has security version ${securityVersion}; this device accepts ${device.securityVersion} or higher, even with force.`, { device: device.securityVersion, image: securityVersion });
  }
}
