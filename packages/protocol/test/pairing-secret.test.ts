// Pairing codes: 80 random bits as 16 characters of Crockford base32, read back whatever the case or grouping;
// the strength estimate that refuses weak passwords; the pairing link a label's QR code carries.
import { describe, expect, it } from 'vitest';
import { appPairingLink, estimateSecretBits, generatePairingCode, isPairingCode, MIN_SECRET_BITS, normalizePairingSecret, pairingLink, parsePairingLink } from '../src/index.ts';

describe('pairing codes', () => {
  it('are four groups of four base32 characters, 80 bits, and differ every time', () => {
    const codes = Array.from({ length: 200 }, generatePairingCode);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // Every symbol of the alphabet turns up: the bits are spread over all 32.
    expect(new Set(codes.join('').replace(/-/g, '')).size).toBe(32);
    expect(estimateSecretBits(codes[0]!)).toBe(80);
  });

  it('are read as people type them', () => {
    expect(normalizePairingSecret('7kq4m2xd9pwah3tn')).toBe('7KQ4-M2XD-9PWA-H3TN');
    expect(normalizePairingSecret(' 7KQ4 M2XD 9PWA H3TN ')).toBe('7KQ4-M2XD-9PWA-H3TN');
    expect(normalizePairingSecret('OKQ4-M2XD-9PWA-H3TI')).toBe('0KQ4-M2XD-9PWA-H3T1');
    expect(isPairingCode(normalizePairingSecret('7kq4-m2xd-9pwa-h3tL'))).toBe(true);
    // Not a code: a password stays exactly as it is.
    expect(normalizePairingSecret('fieldflash-demo')).toBe('fieldflash-demo');
    expect(normalizePairingSecret('7KQ4-M2XD-9PWA-H3TU')).toBe('7KQ4-M2XD-9PWA-H3TU');
  });
});

describe('the strength estimate', () => {
  it('counts length times the bits of the character classes used', () => {
    expect(estimateSecretBits('demo')).toBeCloseTo(4 * Math.log2(26));
    expect(estimateSecretBits('hunter2')).toBeCloseTo(7 * Math.log2(36));
    expect(estimateSecretBits('Summer2024!')).toBeLessThan(MIN_SECRET_BITS);
    expect(estimateSecretBits('correct horse battery staple')).toBeGreaterThan(MIN_SECRET_BITS);
    expect(estimateSecretBits('')).toBe(0);
  });
});

describe('pairing links', () => {
  it('carry the device URL and the code, and read back', () => {
    const link = pairingLink('http://192.168.1.40:8070', '7KQ4-M2XD-9PWA-H3TN');
    expect(link).toBe('web+fieldflash://pair?device=http%3A%2F%2F192.168.1.40%3A8070&code=7KQ4-M2XD-9PWA-H3TN');
    expect(parsePairingLink(link)).toEqual({ device: 'http://192.168.1.40:8070', code: '7KQ4-M2XD-9PWA-H3TN' });
    expect(parsePairingLink('web+fieldflash://pair?device=javascript%3Aalert(1)&code=x')).toBeUndefined();
    expect(parsePairingLink('https://example.com/?device=http://x&code=y')).toBeUndefined();
  });

  it('also come as a link to the app, the pairing in its fragment', () => {
    const link = appPairingLink('https://fieldflash.example/app/#/library', 'http://192.168.1.40:8070', '7KQ4-M2XD-9PWA-H3TN');
    expect(link).toBe('https://fieldflash.example/app/#pair=http%3A%2F%2F192.168.1.40%3A8070&code=7KQ4-M2XD-9PWA-H3TN');
    expect(parsePairingLink(` ${link}\n`)).toEqual({ device: 'http://192.168.1.40:8070', code: '7KQ4-M2XD-9PWA-H3TN' });
    expect(parsePairingLink('https://fieldflash.example/#pair=ftp%3A%2F%2Fx&code=y')).toBeUndefined();
    expect(parsePairingLink('https://fieldflash.example/#pair=http%3A%2F%2Fx')).toBeUndefined();
    expect(parsePairingLink('https://fieldflash.example/#/devices')).toBeUndefined();
  });
});
