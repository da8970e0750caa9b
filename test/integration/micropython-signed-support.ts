// Signed releases for the MicroPython agent's tests (docs/protocol.md §4.9): publisher keys made with WebCrypto, the
// key folder given to the board as `--trusted-keys` does, FieldFlash manifests signed over their exact bytes, and the
// offers that carry them (`release`), built here as a client sends them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNativeManifest } from '../../packages/bundle/src/index.ts';
import { sourceTreeDelta } from '../../packages/bundle/src/source-tree-delta.ts';
import {
  bytesToBase64, generateSigningKey, publicKeyFile, signatureFileText, signManifest, type SignatureAlgorithm, type SigningKey,
} from '../../packages/bundle/src/trust/index.ts';
import { type Image, type Session, expectOk } from '../../packages/conformance/src/probe.ts';
import { buildTreePayload, parseTreeListing } from '../../packages/protocol/src/index.ts';
import { lanApp, LAN_APP_PRODUCT, type LanAppOptions } from '../fixtures/micropython-lan-app.ts';

export async function publisherKey(algorithm: SignatureAlgorithm): Promise<SigningKey> {
  return generateSigningKey(algorithm, `publisher ${algorithm}`);
}

/** A folder with these keys' public key files, as a publisher hands them out. */
export function keyFolder(keys: readonly SigningKey[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-keys-'));
  keys.forEach((key, i) => writeFileSync(join(dir, `publisher-${i}.pub.json`), publicKeyFile(key.publicKey)));
  return dir;
}

export interface SignedRelease {
  manifest: Uint8Array;
  /** The offer's `release`: the manifest's exact bytes and the signature file's object. */
  release: { manifest: string; signature: Record<string, unknown> };
}

export async function signed(manifestText: string, key: SigningKey): Promise<SignedRelease> {
  const manifest = new TextEncoder().encode(manifestText);
  const signature = JSON.parse(signatureFileText(await signManifest(manifest, key))) as Record<string, unknown>;
  return { manifest, release: { manifest: bytesToBase64(manifest), signature } };
}

/** The same signature over other bytes: a manifest changed after signing. */
export function tampered(release: SignedRelease, change: (text: string) => string): SignedRelease['release'] {
  return { ...release.release, manifest: bytesToBase64(new TextEncoder().encode(change(new TextDecoder().decode(release.manifest)))) };
}

export interface FirmwareSpec {
  version: string;
  sequence: number;
  securityVersion?: number;
  chipFamily?: 'ESP32' | 'ESP32-S3';
}

/** A firmware release's manifest: one OTA image, app.bin. */
export function firmwareManifest(image: Image, spec: FirmwareSpec): Promise<string> {
  return writeNativeManifest({
    product: LAN_APP_PRODUCT, version: spec.version, sequence: spec.sequence, securityVersion: spec.securityVersion ?? 0,
    targets: [{ chipFamily: spec.chipFamily ?? 'ESP32', ota: { image: 'app.bin' } }],
    files: [{ path: 'app.bin', data: image.bytes }],
  });
}

export function firmwareOffer(image: Image, spec: FirmwareSpec, release?: SignedRelease['release']): Record<string, unknown> {
  return {
    sha256: image.sha256, size: image.bytes.length, version: spec.version, product: LAN_APP_PRODUCT, sequence: spec.sequence,
    securityVersion: spec.securityVersion ?? 0, chipFamily: 'ESP32', ...(release ? { release } : {}),
  };
}

/** The source-tree release of the test application (as test/fixtures/micropython-lan-app.ts zips it), its manifest. */
export function treeManifest(version: string, options: LanAppOptions = {}, sequence = 13): Promise<string> {
  return writeNativeManifest({
    product: LAN_APP_PRODUCT, version, sequence, securityVersion: 0,
    targets: [{ runtime: { name: 'micropython', minVersion: '1.22.0' }, sourceTree: { root: 'src', entry: 'main', deviceLocal: ['env.py'] } }],
    files: lanApp(version, options).map((f) => ({ path: `src/${f.path}`, data: f.data })),
  });
}

export interface TreePayloadChoice {
  /** Files sent in place of the release's: path -> bytes (their records carry their own, true, SHA-256). */
  replace?: Record<string, Uint8Array>;
  /** Device files the payload leaves in place although the release no longer has them. */
  keep?: string[];
}

const hex = async (bytes: Uint8Array) => Buffer.from(await crypto.subtle.digest('SHA-256', bytes as BufferSource)).toString('hex');

/** The payload a client sends the board for `version`: the files that differ from its listing, and the deletions. */
export async function treePayload(session: Session, version: string, options: LanAppOptions = {}, choice: TreePayloadChoice = {}): Promise<Image> {
  const listing = parseTreeListing(expectOk(await session.request('GET', 'tree'), 'the tree listing'));
  const app = lanApp(version, options).map((f) => ({ ...f, data: choice.replace?.[f.path] ?? f.data }));
  const files = await Promise.all(app.map(async (f) => ({ path: f.path, bundlePath: `src/${f.path}`, size: f.data.length, sha256: await hex(f.data) })));
  const delta = sourceTreeDelta(files, listing.files, ['env.py']);
  const data = new Map(app.map((f) => [f.path, f.data]));
  const payload = await buildTreePayload({
    version, entry: 'main', deviceLocal: ['env.py'],
    write: delta.send.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, data: new Blob([data.get(f.path)! as BlobPart]) })),
    remove: delta.removed.filter((path) => !choice.keep?.includes(path)),
  });
  return { bytes: payload.bytes, sha256: payload.sha256 };
}

export function treeOffer(payload: Image, version: string, release?: SignedRelease['release'], sequence = 13): Record<string, unknown> {
  return {
    sha256: payload.sha256, size: payload.bytes.length, version, product: LAN_APP_PRODUCT, sequence, securityVersion: 0, chipFamily: 'ESP32',
    kind: 'source-tree', runtime: { name: 'micropython', minVersion: '1.22.0' }, ...(release ? { release } : {}),
  };
}
