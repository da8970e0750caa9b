// Reading a public key the technician pasted or picked: PEM ("BEGIN PUBLIC KEY") or the release tool's .pub.json.
// Only public keys are ever kept; a private key pasted by mistake is refused and not stored.
import { KeyError, parsePublicKey } from '@fieldflash/bundle/trust';
import { addTrustedKey, type StoredTrustedKey } from '../store/index.ts';

export type KeyImportOutcome = { ok: true; key: StoredTrustedKey; added: boolean } | { ok: false; message: string; hint: string };

const PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----|"privateKey"|"pkcs8"/;

export async function importPublicKey(text: string, name: string): Promise<KeyImportOutcome> {
  if (PRIVATE_KEY.test(text)) {
    return {
      ok: false,
      message: 'This is a private key: FieldFlash needs only the publisher\'s public key, and did not keep what was pasted.',
      hint: 'Keep the private key secret on the publisher\'s machine. Paste the public key (the .pub.json file, or the PEM "BEGIN PUBLIC KEY" block).',
    };
  }
  try {
    const key = await parsePublicKey(text);
    const given = name.trim() || key.name;
    const outcome = await addTrustedKey({
      keyId: key.keyId, algorithm: key.algorithm, spki: key.spki, fingerprint: key.fingerprint, ...(given ? { name: given } : {}),
    });
    return { ok: true, ...outcome };
  } catch (error) {
    if (error instanceof KeyError) return { ok: false, message: error.message, hint: error.hint };
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `The key could not be kept: ${detail}.`, hint: 'Reload FieldFlash and try again.' };
  }
}
