// Detached signatures: "<manifest>.sig" beside the manifest, signing the manifest's exact bytes (which list
// every file's SHA-256). FieldFlash records it here; the trust layer verifies it. A signature file that cannot be
// read does not stop the import: it travels with the release, and the trust layer refuses the release as
// "malformed", with a hint for the publisher, whatever the policy on unsigned releases.
import { isObject } from '../manifest-fields.ts';
import type { LoadedFile } from '../loaded-file.ts';
import type { DetachedSignature } from '../release.ts';

export const SIGNATURE_FORMAT = 'fieldflash-signature';

/** Shown where a signature file does not say. */
const UNREADABLE = 'unreadable';

export function readSignature(file: LoadedFile): DetachedSignature {
  let json: unknown;
  try {
    json = file.text === undefined ? undefined : JSON.parse(file.text);
  } catch {
    json = undefined;
  }
  const fields = isObject(json) ? json : {};
  return {
    algorithm: typeof fields.algorithm === 'string' ? fields.algorithm : UNREADABLE,
    keyId: typeof fields.keyId === 'string' ? fields.keyId : UNREADABLE,
    path: file.path,
  };
}
