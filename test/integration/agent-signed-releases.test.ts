// A device started with --trusted-keys verifies releases itself (docs/protocol.md §4.9): real agent processes on
// 127.0.0.1, real signed zips, the real client. Every refusal is tried as an attack by a client that lies, and the
// device's disk shows nothing of a refused offer was kept.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesImage, DeviceRefusal, parseDeviceDocument, planRelease, signedReleaseFiles, type SignedReleaseFiles, updateDevice, type UpdateOptions } from '@fieldflash/protocol';
import { NodeHttpTransport } from '@fieldflash/protocol/node';
import { afterEach, describe, expect, it } from 'vitest';
import { type Release, signatureFileText, signManifest } from '@fieldflash/bundle';
import { makeImage, Probe } from '../../packages/conformance/src/probe.ts';
import { type AgentProcess, deviceDir, diskState, PASSWORD, spawnAgent } from './agent-support.ts';
import { publisherKey, releaseZip, trustedKeysDir } from './signed-release-support.ts';

const running: AgentProcess[] = [];
afterEach(async () => {
  for (const agent of running.splice(0)) {
    agent.child.kill('SIGKILL');
    await agent.exited;
  }
});

async function trustingAgent(dir: string, keysDir: string, extra: string[] = []): Promise<AgentProcess> {
  const agent = await spawnAgent(dir, 0, ['--trusted-keys', keysDir, '--version', '1.0.0', '--sequence', '4', ...extra]);
  running.push(agent);
  return agent;
}

async function deviceDocument(url: string) {
  return parseDeviceDocument(await (await fetch(`${url}/fieldflash/v1/device`)).json());
}

/** What `npm run push` would send for `release`, with the facts and signed files a test may replace. */
async function options(url: string, release: Release, change: { facts?: object; signedRelease?: SignedReleaseFiles | undefined } = {}): Promise<UpdateOptions> {
  const plan = planRelease(release, await deviceDocument(url));
  const signed = 'signedRelease' in change ? change.signedRelease : plan.signedRelease;
  return {
    url,
    password: PASSWORD,
    clientId: 'signed-release-test',
    release: { ...plan.release, ...change.facts },
    image: plan.image,
    ...(signed ? { signedRelease: signed } : {}),
    httpTransport: (target) => new NodeHttpTransport(target),
    attempts: 1,
  };
}

/** Runs the update and returns the device's refusal; fails the test if the device accepted it. */
async function refusal(run: Promise<unknown>): Promise<DeviceRefusal> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeviceRefusal);
  return error as DeviceRefusal;
}

/** Nothing of a refused offer is on the device: no partial upload, the journal as it was. */
function untouched(dir: string, generation: number): void {
  expect(readdirSync(join(dir, 'uploads')).filter((name) => name.endsWith('.json'))).toEqual([]);
  expect(diskState(dir).journal.generation).toBe(generation);
}

describe('a device with --trusted-keys', () => {
  it('announces signed-releases and the ids of its keys, and refuses every unsigned, foreign, altered or misdescribed release', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const stranger = await publisherKey('someone else');
    const agent = await trustingAgent(dir, trustedKeysDir(dir, key));
    const doc = await deviceDocument(agent.url);
    expect(doc.capabilities).toContain('signed-releases');
    expect(doc.trust).toEqual({ keyIds: [key.publicKey.keyId] });
    const generation = diskState(dir).journal.generation;

    const signed = await releaseZip(join(dir, 'a'), { version: '1.3.0', sequence: 7, securityVersion: 1, signedBy: key });
    const unsigned = await releaseZip(join(dir, 'b'), { version: '1.3.0', sequence: 7, securityVersion: 1 });
    const foreign = await releaseZip(join(dir, 'c'), { version: '1.3.0', sequence: 7, securityVersion: 1, signedBy: stranger });
    const other = await releaseZip(join(dir, 'd'), { version: '1.4.0', sequence: 8, securityVersion: 1, signedBy: key, payload: 150_000 });

    let refused = await refusal(updateDevice(await options(agent.url, unsigned.release)));
    expect([refused.status, refused.code]).toEqual([403, 'signature-required']);
    expect(refused.message).toMatch(/signed releases only/);

    refused = await refusal(updateDevice(await options(agent.url, foreign.release)));
    expect([refused.status, refused.code, refused.details.keyId]).toEqual([403, 'untrusted-key', stranger.publicKey.keyId]);
    expect(refused.message).toContain(key.publicKey.keyId);

    // The manifest raised its own sequence after it was signed.
    const files = (await options(agent.url, signed.release)).signedRelease!;
    const manifest = new TextDecoder().decode(new Uint8Array(await (files.manifest as Blob).arrayBuffer()));
    const tampered = new TextEncoder().encode(manifest.replace('"sequence": 7', '"sequence": 9'));
    refused = await refusal(updateDevice(await options(agent.url, signed.release, { facts: { sequence: 9 }, signedRelease: { ...files, manifest: tampered } })));
    expect([refused.status, refused.code]).toEqual([422, 'bad-signature']);

    // A valid signature of release 1.3.0 replayed with the images of 1.4.0.
    refused = await refusal(updateDevice({ ...(await options(agent.url, other.release)), release: (await options(agent.url, signed.release)).release, signedRelease: files }));
    expect([refused.status, refused.code]).toEqual([422, 'not-in-release']);

    // A client that lies about the counters or the product while sending the genuine signed manifest.
    for (const [field, facts, offered] of [
      ['sequence', { sequence: 99 }, 99],
      ['securityVersion', { securityVersion: 3 }, 3],
      ['version', { version: '1.3.1' }, '1.3.1'],
    ] as const) {
      refused = await refusal(updateDevice(await options(agent.url, signed.release, { facts })));
      expect([refused.status, refused.code, refused.details.field, refused.details.offered]).toEqual([422, 'image-mismatch', field, offered]);
      expect(refused.details.image).toBe({ sequence: 7, securityVersion: 1, version: '1.3.0' }[field]);
    }
    const otherProduct = await releaseZip(join(dir, 'e'), { product: 'other-sensor', version: '1.3.0', sequence: 7, securityVersion: 1, signedBy: key });
    const asThisProduct = { ...(await options(agent.url, signed.release)), signedRelease: signedReleaseFiles(otherProduct.release)! };
    const slotB = otherProduct.images[1]!;
    refused = await refusal(updateDevice({ ...asThisProduct, image: bytesImage(slotB, createHash('sha256').update(slotB).digest('hex')) }));
    expect([refused.code, refused.details.field, refused.details.image]).toEqual(['image-mismatch', 'product', 'other-sensor']);

    // Signed counters below the device's: leaving them out of the offer does not get past the signed ones.
    const older = await releaseZip(join(dir, 'f'), { version: '1.3.0', sequence: 2, securityVersion: 1, signedBy: key });
    const { sequence: _left, ...withoutSequence } = (await options(agent.url, older.release)).release;
    refused = await refusal(updateDevice({ ...(await options(agent.url, older.release)), release: withoutSequence }));
    expect([refused.code, refused.details.device, refused.details.image]).toEqual(['sequence-too-low', 4, 2]);

    untouched(dir, generation);
  }, 60_000);

  it('installs a signed release and reports product, version and counters from the signed manifest, also after a restart', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const keys = trustedKeysDir(dir, key);
    let agent = await trustingAgent(dir, keys);
    const signed = await releaseZip(join(dir, 'a'), { version: '1.3.0', sequence: 7, securityVersion: 1, signedBy: key });
    // The offer leaves the counters out: the device takes them from the manifest.
    const { sequence: _s, securityVersion: _v, ...bare } = (await options(agent.url, signed.release)).release;
    const verdict = await updateDevice({ ...(await options(agent.url, signed.release)), release: bare });
    expect(verdict.outcome).toBe('confirmed');
    expect([verdict.device.version, verdict.device.sequence, verdict.device.securityVersion]).toEqual(['1.3.0', 7, 1]);
    // The ESP app descriptor states the security version, so that one is the image's.
    expect(verdict.device.counterSources).toEqual({ sequence: 'signed-manifest', securityVersion: 'image' });
    const { journal, slotsMatch } = diskState(dir);
    expect(slotsMatch).toBe(true);
    expect(journal.active).toBe('b');
    expect(journal.slots.b).toMatchObject({ state: 'active', sequence: 7, signedRelease: { keyId: key.publicKey.keyId, product: 'demo-sensor' } });

    agent.child.kill('SIGKILL');
    await agent.exited;
    running.splice(running.indexOf(agent), 1);
    agent = await trustingAgent(dir, keys);
    const after = await deviceDocument(agent.url);
    expect([after.version, after.sequence, after.counterSources?.sequence]).toEqual(['1.3.0', 7, 'signed-manifest']);
    // What the running image's signed counters are compared with later: a signed release below them is refused.
    const older = await releaseZip(join(dir, 'b'), { version: '1.3.5', sequence: 6, securityVersion: 1, signedBy: key });
    const refused = await refusal(updateDevice(await options(agent.url, older.release)));
    expect([refused.code, refused.details.device, refused.details.image]).toEqual(['sequence-too-low', 7, 6]);
  }, 60_000);

  it('takes an offer whose signed manifest lists 400 files: within the offer body limit', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const agent = await trustingAgent(dir, trustedKeysDir(dir, key));
    const zip = await releaseZip(join(dir, 'a'), { version: '1.3.0', sequence: 7, securityVersion: 1, signedBy: key });
    const manifest = JSON.parse(new TextDecoder().decode(new Uint8Array(await (signedReleaseFiles(zip.release)!.manifest as Blob).arrayBuffer())));
    for (let i = 0; i < 400; i++) {
      manifest.files.push({ path: `www/assets/part-${String(i).padStart(3, '0')}.bin`, size: 1000 + i, sha256: createHash('sha256').update(String(i)).digest('hex'), role: 'data' });
    }
    const bytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    const signature = new TextEncoder().encode(signatureFileText(await signManifest(bytes, key)));
    const verdict = await updateDevice(await options(agent.url, zip.release, { signedRelease: { manifest: bytes, signature } }));
    expect([verdict.outcome, verdict.device.counterSources?.sequence]).toEqual(['confirmed', 'signed-manifest']);
  }, 60_000);

  it('keeps the signed facts of a partial upload across a power cut, and a resumed session cannot swap them', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const keys = trustedKeysDir(dir, key);
    let agent = await trustingAgent(dir, keys);
    const signed = await releaseZip(join(dir, 'a'), { version: '1.3.0', sequence: 7, securityVersion: 1, signedBy: key, payload: 2_000_000 });
    // Throttled so the power cut falls in the middle of the image.
    const sending = updateDevice({ ...(await options(agent.url, signed.release)), throttleKiBps: 1024, attempts: 1 }).catch(() => undefined);
    const uploads = join(dir, 'uploads');
    while (!readdirSync(uploads).some((name) => name.endsWith('.progress'))) await new Promise((resolve) => setTimeout(resolve, 20));
    agent.child.kill('SIGKILL');
    await agent.exited;
    running.splice(running.indexOf(agent), 1);
    await sending;
    const [metaFile] = readdirSync(uploads).filter((name) => name.endsWith('.json'));
    const kept = JSON.parse(readFileSync(join(uploads, metaFile!), 'utf8'));
    expect(kept).toMatchObject({ version: '1.3.0', sequence: 7, securityVersion: 1, counterSources: { sequence: 'signed-manifest' }, signedRelease: { keyId: key.publicKey.keyId } });

    agent = await trustingAgent(dir, keys);
    // A client resuming with other claims, or without the signature, is refused and the kept facts stay.
    const lying = await refusal(updateDevice(await options(agent.url, signed.release, { facts: { sequence: 99 } })));
    expect(lying.code).toBe('image-mismatch');
    const unsigned = await refusal(updateDevice(await options(agent.url, signed.release, { facts: { sequence: 99 }, signedRelease: undefined })));
    expect(unsigned.code).toBe('signature-required');
    expect(JSON.parse(readFileSync(join(uploads, metaFile!), 'utf8'))).toEqual(kept);

    const verdict = await updateDevice(await options(agent.url, signed.release));
    expect(verdict.outcome).toBe('confirmed');
    expect([verdict.device.sequence, verdict.device.counterSources?.sequence]).toEqual([7, 'signed-manifest']);
    expect(diskState(dir).slotsMatch).toBe(true);
  }, 60_000);

  it('never commits an upload offered before it trusted keys', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const plain = await spawnAgent(dir, 0, ['--version', '1.0.0', '--sequence', '4']);
    running.push(plain);
    // Every byte sent under an unsigned offer that claims sequence 50, but not committed.
    const image = makeImage(100_000);
    const before = new Probe(plain.url, PASSWORD);
    const session = await before.login('before-keys');
    const opened = (await session.requestAsIs('POST', 'updates', { sha256: image.sha256, size: image.bytes.length, version: '1.3.0', chipFamily: 'ESP32', sequence: 50 })).body as { chunkSize: number };
    expect(await session.sendFrom(image, 0, opened.chunkSize)).toBe(image.bytes.length);
    before.close();
    plain.child.kill('SIGKILL');
    await plain.exited;
    running.splice(running.indexOf(plain), 1);

    const agent = await trustingAgent(dir, trustedKeysDir(dir, key));
    const after = new Probe(agent.url, PASSWORD);
    const commit = await (await after.login('after-keys')).requestAsIs('POST', `updates/${image.sha256}/commit`, {});
    after.close();
    expect([commit.status, (commit.body as { error: { code: string } }).error.code]).toEqual([403, 'signature-required']);
    expect(readdirSync(join(dir, 'uploads'))).toEqual([]);
    expect(diskState(dir).journal.slots.b).toEqual({ state: 'empty' });
  }, 60_000);

  it('refuses to start with a key file it cannot read, or together with --compat', async () => {
    const dir = deviceDir();
    const keys = trustedKeysDir(dir);
    writeFileSync(join(keys, 'broken.pem'), '-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n');
    await expect(spawnAgent(dir, 0, ['--trusted-keys', keys])).rejects.toThrow(/broken\.pem is not a public key the device can use: The PEM text is damaged/);
    await expect(spawnAgent(dir, 0, ['--trusted-keys', keys, '--compat'])).rejects.toThrow(/--compat cannot go with --trusted-keys/);
    await expect(spawnAgent(dir, 0, ['--trusted-keys', join(dir, 'empty')])).rejects.toThrow(/cannot read the folder/);
  }, 30_000);
});
