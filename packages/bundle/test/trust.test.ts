// Signed releases: keys read from PEM and the CLI's key file, signatures verified over the manifest's exact bytes,
// and the verdicts a technician sees. Real zips, real WebCrypto keys of both algorithms.
import { describe, expect, it } from 'vitest';
import {
  checkManifestSignature, generateSigningKey, parsePublicKey, publicKeyFile, readBundle, releaseTrust, signManifest, signatureFileText,
  spkiToPem, type SignatureAlgorithm, type TrustedKey,
} from '../src/index.ts';
import { fixtureFiles, nativeFiles, zipFiles, type BundleFile } from './helpers.ts';

const text = (s: string) => new TextEncoder().encode(s);

async function signedBundle(files: BundleFile[], algorithm: SignatureAlgorithm, manifestPath = 'fieldflash.json') {
  const key = await generateSigningKey(algorithm, 'Test publisher');
  const manifest = files.find((f) => f.path === manifestPath)!.data;
  const sig = text(signatureFileText(await signManifest(manifest, key)));
  return { key, files: [...files, { path: `${manifestPath}.sig`, data: sig }] };
}

describe('publisher keys', () => {
  it.each(['ed25519', 'ecdsa-p256'] as const)('reads a %s key from PEM and from the key file, with the same id and fingerprint', async (algorithm) => {
    const { publicKey } = await generateSigningKey(algorithm, 'Acme release key');
    const fromPem = await parsePublicKey(spkiToPem(publicKey.spki));
    const fromFile = await parsePublicKey(publicKeyFile(publicKey));
    expect(fromPem).toMatchObject({ algorithm, keyId: publicKey.keyId, fingerprint: publicKey.fingerprint });
    expect(fromFile).toMatchObject({ algorithm, keyId: publicKey.keyId, name: 'Acme release key' });
    expect(publicKey.keyId).toBe(publicKey.fingerprint.slice(0, 16));
  });

  it('refuses a private key, an RSA key, damaged text and an edited key file, each in words', async () => {
    const { publicKey, pkcs8 } = await generateSigningKey('ed25519');
    const privatePem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64')}\n-----END PRIVATE KEY-----`;
    await expect(parsePublicKey(privatePem)).rejects.toThrow(/private key/);
    const rsa = '-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL6cMGaPGZL8o2g2MK0jU2xHQmRnYZbFfUwl0nCk1cGRBtrgo5T2GvRSsEKWr0bd6+vCRbZ4IYbF1WCmbi2k5rsCAwEAAQ==\n-----END PUBLIC KEY-----';
    await expect(parsePublicKey(rsa)).rejects.toThrow(/not an Ed25519 or ECDSA P-256/);
    await expect(parsePublicKey('hello')).rejects.toThrow(/neither a PEM/);
    const edited = JSON.parse(publicKeyFile(publicKey));
    edited.keyId = '0000000000000000';
    await expect(parsePublicKey(JSON.stringify(edited))).rejects.toThrow(/names key 0000000000000000/);
  });
});

describe('release signatures', () => {
  it.each(['ed25519', 'ecdsa-p256'] as const)('a %s-signed native release is trusted; untrusted, revoked and unsigned are refused', async (algorithm) => {
    const { key, files } = await signedBundle(await nativeFiles({}), algorithm);
    const [release] = await readBundle({ name: 'signed.zip', data: await zipFiles(files) });
    const trusted: TrustedKey = { ...key.publicKey };
    expect(await releaseTrust(release!, [trusted], { allowUnsigned: false })).toMatchObject({ verdict: 'trusted', key: { keyId: key.publicKey.keyId } });
    expect(await releaseTrust(release!, [], { allowUnsigned: true })).toMatchObject({ verdict: 'refused', reason: 'untrusted-key', keyId: key.publicKey.keyId });
    expect(await releaseTrust(release!, [{ ...trusted, revoked: true }], { allowUnsigned: true })).toMatchObject({ verdict: 'refused', reason: 'revoked-key' });

    const [unsigned] = await readBundle({ name: 'unsigned.zip', data: await zipFiles(files.filter((f) => !f.path.endsWith('.sig'))) });
    expect(await releaseTrust(unsigned!, [trusted], { allowUnsigned: false })).toMatchObject({ verdict: 'refused', reason: 'unsigned' });
    expect(await releaseTrust(unsigned!, [trusted], { allowUnsigned: true })).toEqual({ verdict: 'unsigned-allowed' });
  });

  it('a manifest changed by one byte after signing is refused as tampered', async () => {
    const { key, files } = await signedBundle(await nativeFiles({}), 'ed25519');
    const manifest = files.find((f) => f.path === 'fieldflash.json')!;
    const json = JSON.parse(new TextDecoder().decode(manifest.data));
    json.sequence += 1;
    const tampered = files.map((f) => (f === manifest ? { path: f.path, data: text(JSON.stringify(json)) } : f));
    const [release] = await readBundle({ name: 'tampered.zip', data: await zipFiles(tampered) });
    expect(await releaseTrust(release!, [key.publicKey], { allowUnsigned: false })).toMatchObject({ verdict: 'refused', reason: 'bad-signature' });
  });

  it('a signature over the bytes of another manifest is refused', async () => {
    const key = await generateSigningKey('ecdsa-p256');
    const sig = await signManifest(text('{"format":"fieldflash-release"}'), key);
    expect(await checkManifestSignature(text('{"format":"fieldflash-release" }'), text(signatureFileText(sig)), [key.publicKey])).toMatchObject({ status: 'bad-signature' });
  });

  it('a signed manifest that gives no digests does not vouch for the files (ESP Web Tools manifest)', async () => {
    const files = fixtureFiles();
    const manifestPath = files.find((f) => f.path.endsWith('manifest.json'))!.path;
    const { key, files: signed } = await signedBundle(files, 'ed25519', manifestPath);
    const [release] = await readBundle({ name: 'ewt.zip', data: await zipFiles(signed) });
    const trust = await releaseTrust(release!, [key.publicKey], { allowUnsigned: false });
    expect(trust).toMatchObject({ verdict: 'refused', reason: 'not-covered' });
    expect(trust.verdict === 'refused' && trust.message).toMatch(/gives no SHA-256 for .*\.bin/);
  });

  it('a release whose signature file cannot be read is imported, and refused as malformed even where unsigned is allowed', async () => {
    const files = [...(await nativeFiles({})), { path: 'fieldflash.json.sig', data: text('garbage') }];
    const [release] = await readBundle({ name: 'garbled.zip', data: await zipFiles(files) });
    expect(release!.signature).toEqual({ algorithm: 'unreadable', keyId: 'unreadable', path: 'fieldflash.json.sig' });
    const trust = await releaseTrust(release!, [], { allowUnsigned: true });
    expect(trust).toMatchObject({ verdict: 'refused', reason: 'malformed', message: "The release's signature cannot be read: the signature file is not JSON." });
  });

  it.each([
    ['not JSON', 'garbage', /not JSON/],
    ['another format', '{"format":"x"}', /format/],
    ['an unknown algorithm', '{"format":"fieldflash-signature","algorithm":"rsa","keyId":"0123456789abcdef","signature":"AA=="}', /algorithm/],
    ['a short signature', '{"format":"fieldflash-signature","algorithm":"ed25519","keyId":"0123456789abcdef","signature":"AAAA"}', /64 bytes/],
  ])('a signature file that is %s is refused as unreadable', async (_what, body, problem) => {
    const check = await checkManifestSignature(text('{}'), text(body), []);
    expect(check).toMatchObject({ status: 'malformed' });
    expect(check.status === 'malformed' && check.problem).toMatch(problem);
  });
});

describe('the record kept beside the bytes', () => {
  it('a recorded SHA-256 that is not the one the signed manifest gives is refused, though the signature verifies', async () => {
    const { key, files } = await signedBundle(await nativeFiles({}), 'ed25519');
    const [release] = await readBundle({ name: 'signed.zip', data: await zipFiles(files) });
    expect(await releaseTrust(release!, [key.publicKey], { allowUnsigned: false })).toMatchObject({ verdict: 'trusted' });
    // Someone rewrote a file's bytes in the library and its recorded digest with them: the manifest still says otherwise.
    const app = release!.files.find((f) => f.role === 'app')!;
    const altered = { ...release!, files: release!.files.map((f) => (f === app ? { ...f, sha256: 'ab'.repeat(32) } : f)) };
    const trust = await releaseTrust(altered, [key.publicKey], { allowUnsigned: false });
    expect(trust).toMatchObject({ verdict: 'refused', reason: 'not-covered' });
    expect(trust.verdict === 'refused' && trust.message).toContain(app.path);
  });
});
