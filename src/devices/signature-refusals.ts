// A device that installs signed releases only (docs/protocol.md §4.9) refuses the others: its own sentence says what
// it found, and these hints say what the technician can do about it from here.
import type { DeviceRefusal } from '@fieldflash/protocol';

const HINTS: Record<string, (refusal: DeviceRefusal) => string> = {
  'signature-required': () =>
    'This device installs signed releases only. Import the release as its publisher signed it (with fieldflash.json.sig beside fieldflash.json), or ask the publisher for a signed one.',
  'untrusted-key': (refusal) =>
    `The device does not trust the key that signed this release${typeof refusal.details.keyId === 'string' ? ` (${refusal.details.keyId})` : ''}. Use a release signed with a key the device lists, or have the device's owner add the publisher's public key to it.`,
  'bad-signature': () => 'The release was changed after it was signed. Do not install it: remove it from the library and get it again from its publisher.',
  'unsupported-manifest': () => 'The device checks images against a FieldFlash manifest (fieldflash.json). Ask the publisher for the release packed and signed with `npm run release`.',
  'not-in-release': () => 'The image does not belong to the signed release it was sent with. Import the release again from its publisher.',
};

/** The hint for a refusal of a signed-release device, or undefined for any other refusal. */
export function signatureRefusalHint(refusal: DeviceRefusal): string | undefined {
  if (refusal.code === 'image-mismatch' && /signed manifest/.test(refusal.message)) {
    return 'The release and its signed manifest disagree. Get the release again from its publisher.';
  }
  return HINTS[refusal.code]?.(refusal);
}
