// Detached signatures: "<manifest>.sig" beside the manifest, signing the manifest's exact bytes (which list
// every file's SHA-256). FieldFlash records it here; the trust layer verifies it.
import { asString, asObject, invalid, parseJson } from '../manifest-fields.ts';
import type { LoadedFile } from '../loaded-file.ts';
import type { DetachedSignature } from '../release.ts';

export const SIGNATURE_FORMAT = 'fieldflash-signature';

export function readSignature(file: LoadedFile): DetachedSignature {
  if (file.text === undefined) throw invalid(file.path, 'format', `must be a JSON object with "format": "${SIGNATURE_FORMAT}"`);
  const json = asObject(parseJson(file.text, file.path), file.path, '(top level)');
  if (json.format !== SIGNATURE_FORMAT) throw invalid(file.path, 'format', `must be "${SIGNATURE_FORMAT}"`, json.format);
  asString(json.signature, file.path, 'signature');
  return {
    algorithm: asString(json.algorithm, file.path, 'algorithm'),
    keyId: asString(json.keyId, file.path, 'keyId'),
    path: file.path,
  };
}
