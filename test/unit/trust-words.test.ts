// A release's trust verdict in the words the library and the install views show, from real verdicts: a release
// signed with a generated key, judged by the trust core against trusted, unknown and revoked keys.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { generateSigningKey, releaseTrust, signatureFileText, signManifest, type ReleaseFile } from '@fieldflash/bundle';
import { shortFingerprint, trustInWords } from '../../src/trust/trust-words.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const file = (path: string, role: ReleaseFile['role'], data: Uint8Array | string): ReleaseFile => {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { path, role, size: bytes.length, sha256: sha256(bytes), digestDeclared: true, data: new Blob([bytes as BlobPart]) };
};

async function signedRelease() {
  const key = await generateSigningKey('ed25519', 'Acme release key');
  const app = new Uint8Array(16);
  const manifest = `${JSON.stringify({
    format: 'fieldflash-release', formatVersion: 1, product: 'Acme Sensor', version: '1.0.0', sequence: 1, securityVersion: 0,
    targets: [{ chipFamily: 'ESP32', ota: { image: 'app.bin' } }],
    files: [{ path: 'app.bin', size: app.length, sha256: sha256(app) }],
  })}\n`;
  const signature = signatureFileText(await signManifest(new TextEncoder().encode(manifest), key));
  const release = { product: 'Acme Sensor', files: [file('fieldflash.json', 'manifest', manifest), file('fieldflash.json.sig', 'signature', signature), file('app.bin', 'app', app)] };
  return { key, release };
}

describe('trust in words', () => {
  test('a release signed with a trusted key names the key and the start of its fingerprint', async () => {
    const { key, release } = await signedRelease();
    const words = trustInWords(await releaseTrust(release, [key.publicKey], { allowUnsigned: false }));
    expect(words).toEqual({ label: `Signed by Acme release key (${key.publicKey.fingerprint.slice(0, 4)}…)`, short: words.label, blocked: false });
    expect(shortFingerprint('3f2a9b')).toBe('3f2a…');
  });

  test('an unknown or revoked key blocks, with the reason in full and in short', async () => {
    const { key, release } = await signedRelease();
    const unknown = trustInWords(await releaseTrust(release, [], { allowUnsigned: true }));
    expect(unknown).toMatchObject({ short: 'Signature refused: key not trusted', blocked: true });
    expect(unknown.label).toBe(`Signature refused: ${unknown.message}`);
    expect(unknown.message).toContain(key.publicKey.keyId);
    const revoked = trustInWords(await releaseTrust(release, [{ ...key.publicKey, revoked: true }], { allowUnsigned: true }));
    expect(revoked).toMatchObject({ short: 'Signature refused: key revoked', blocked: true });
    expect(revoked.hint).toMatch(/current key/);
  });

  test('an unsigned release blocks until its product is allowed', async () => {
    const release = { product: 'Pump', files: [file('app.bin', 'app', new Uint8Array(4))] };
    expect(trustInWords(await releaseTrust(release, [], { allowUnsigned: false }))).toMatchObject({ label: 'Unsigned', blocked: true });
    expect(trustInWords(await releaseTrust(release, [], { allowUnsigned: true }))).toEqual({ label: 'Unsigned, allowed for this product', short: 'Unsigned, allowed', blocked: false });
  });
});
