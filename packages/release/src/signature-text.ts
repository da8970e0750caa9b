// The signature file for a manifest's exact bytes, as `pack --sign` and `sign` write it.
import { signatureFileText, signManifest, type SigningKey } from '@fieldflash/bundle';

export async function signatureText(manifest: Uint8Array, key: SigningKey): Promise<string> {
  return signatureFileText(await signManifest(manifest, key));
}
