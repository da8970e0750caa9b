// A trust verdict in a technician's words: a short label for a list, and the reason and next step when refused.
import type { ReleaseTrust } from '@fieldflash/bundle/trust';

export interface TrustInWords {
  /** "Signed by Acme release key (3f2a…)", "Unsigned", "Signature refused: …". */
  label: string;
  /** The label short enough for a list's cell. */
  short: string;
  /** Installing is refused until the technician trusts the key or allows unsigned releases of the product. */
  blocked: boolean;
  message?: string;
  hint?: string;
}

/** The first group of the fingerprint, as a person glances at it ("3f2a…"); Settings shows the whole. */
export function shortFingerprint(fingerprint: string): string {
  return `${fingerprint.slice(0, 4)}…`;
}

export function trustInWords(trust: ReleaseTrust): TrustInWords {
  switch (trust.verdict) {
    case 'trusted': {
      const label = `Signed by ${trust.key.name ?? `key ${trust.key.keyId}`} (${shortFingerprint(trust.key.fingerprint)})`;
      return { label, short: label, blocked: false };
    }
    case 'unsigned-allowed':
      return { label: 'Unsigned, allowed for this product', short: 'Unsigned, allowed', blocked: false };
    case 'refused':
      if (trust.reason === 'unsigned') return { label: 'Unsigned', short: 'Unsigned', blocked: true, message: trust.message, hint: trust.hint };
      return { label: `Signature refused: ${trust.message}`, short: `Signature refused: ${REFUSED_SHORT[trust.reason]}`, blocked: true, message: trust.message, hint: trust.hint };
  }
}

const REFUSED_SHORT = {
  'untrusted-key': 'key not trusted',
  'revoked-key': 'key revoked',
  'bad-signature': 'does not match',
  malformed: 'unreadable',
  'not-covered': 'files not covered',
} as const;
