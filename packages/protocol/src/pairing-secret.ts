// The pairing secret (docs/protocol.md §3.1): a generated pairing code of 80 random bits, or a chosen password of
// at least 80 bits by a simple estimate. A sniffed handshake lets anyone test guesses offline against PBKDF2, so
// the secret itself must be out of reach of guessing; see docs/decisions.md.

/** Crockford's base32: no I, L, O or U, so nothing is read as another character. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_GROUPS = 4;
const GROUP_LENGTH = 4;
export const PAIRING_CODE_BITS = CODE_GROUPS * GROUP_LENGTH * 5;
/** Weaker chosen passwords are refused unless the device is told explicitly to accept one. */
export const MIN_SECRET_BITS = 80;
/** The link a device's label carries as a QR code: the device's URL and its pairing code. */
export const PAIRING_LINK_PREFIX = 'web+fieldflash://pair';

/** A fresh pairing code such as `7KQ4-M2XD-9PWA-H3TN`: 16 characters of base32, 80 random bits. */
export function generatePairingCode(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(PAIRING_CODE_BITS / 8));
  let bits = 0;
  let value = 0;
  let code = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      code += ALPHABET[(value >> bits) & 31];
    }
  }
  return groups(code);
}

/** Whether `text` is a pairing code in its canonical form. */
export function isPairingCode(text: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/.test(text);
}

function groups(code: string): string {
  return code.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

/**
 * The text the pairing key is derived from. A pairing code is read as people type it: any case, with or without
 * dashes or spaces, O for 0 and I or L for 1; it becomes its canonical form `XXXX-XXXX-XXXX-XXXX`. Anything else is
 * a password and stays as it is.
 */
export function normalizePairingSecret(text: string): string {
  const compact = text.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== CODE_GROUPS * GROUP_LENGTH || [...compact].some((c) => !ALPHABET.includes(c))) return text;
  return groups(compact);
}

/**
 * How many bits of guessing a secret is worth, by a simple estimate: a pairing code counts its 80 bits; a password
 * counts its length times log2 of the size of the character classes it uses (26 lower-case letters, 26 upper-case,
 * 10 digits, 33 for anything else). The estimate is generous to long passphrases and stops the obviously short.
 */
export function estimateSecretBits(secret: string): number {
  if (isPairingCode(normalizePairingSecret(secret))) return PAIRING_CODE_BITS;
  const chars = [...secret];
  let pool = 0;
  if (chars.some((c) => /[a-z]/.test(c))) pool += 26;
  if (chars.some((c) => /[A-Z]/.test(c))) pool += 26;
  if (chars.some((c) => /[0-9]/.test(c))) pool += 10;
  if (chars.some((c) => !/[A-Za-z0-9]/.test(c))) pool += 33;
  return pool === 0 ? 0 : chars.length * Math.log2(pool);
}

/** `web+fieldflash://pair?device=<device URL>&code=<pairing code>`, for a QR code on the device's label. */
export function pairingLink(deviceUrl: string, code: string): string {
  return `${PAIRING_LINK_PREFIX}?device=${encodeURIComponent(deviceUrl)}&code=${encodeURIComponent(code)}`;
}

/**
 * The same pairing as a link to a client web app: `<app URL>#pair=<device URL>&code=<code>`. The fragment never
 * reaches the app's server, so the code goes from the label's QR code to the page and nowhere else.
 */
export function appPairingLink(appUrl: string, deviceUrl: string, code: string): string {
  return `${appUrl.replace(/#.*$/, '')}#pair=${encodeURIComponent(deviceUrl)}&code=${encodeURIComponent(code)}`;
}

/** Reads a pairing link back (either form, surrounding spaces ignored), or undefined when the text is not one. */
export function parsePairingLink(text: string): { device: string; code: string } | undefined {
  const link = text.trim();
  let query: URLSearchParams;
  let device: string | null;
  if (link.startsWith(`${PAIRING_LINK_PREFIX}?`)) {
    query = new URLSearchParams(link.slice(PAIRING_LINK_PREFIX.length + 1));
    device = query.get('device');
  } else if (/^https?:\/\/[^#]*#pair=/.test(link)) {
    query = new URLSearchParams(link.slice(link.indexOf('#') + 1));
    device = query.get('pair');
  } else {
    return undefined;
  }
  const code = query.get('code');
  if (!device || !code || !/^https?:\/\//.test(device) || !URL.canParse(device)) return undefined;
  return { device, code };
}
