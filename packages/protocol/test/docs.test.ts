// docs/protocol.md, the JSON Schemas in docs/protocol/ and the TypeScript parsers must say the same thing:
// every example passes both, every mutation of an example is accepted or refused by both alike,
// the refusal table lists exactly the codes the library knows, and the test vectors hold.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { checkManifestSignature, parsePublicKey } from '@fieldflash/bundle/trust';
import { describe, expect, it } from 'vitest';
import {
  clientProof,
  contentDigest,
  deriveKey,
  deviceProof,
  ERROR_CODES,
  fingerprintProof,
  MessageError,
  normalizePairingSecret,
  parseAuthReply,
  parseAuthRequest,
  parseChallenge,
  parseChallengeRequest,
  parseChunkAck,
  parseChunkFrameHeader,
  parseCommitReply,
  parseDeviceDocument,
  parseErrorBody,
  parseRebootReply,
  parseScheduledReboot,
  parseScheduleRequest,
  parseTreeListing,
  parseReplyFrame,
  parseRequestFrame,
  parseUpdateOffer,
  parseUpdateSession,
  parseWebRtcOffer,
  requestMac,
  sessionKey,
  toHex,
} from '../src/index.ts';

const docsDir = fileURLToPath(new URL('../../../docs/', import.meta.url));
const doc = readFileSync(`${docsDir}protocol.md`, 'utf8');

const parsers: Record<string, (json: unknown) => unknown> = {
  device: parseDeviceDocument,
  'challenge-request': parseChallengeRequest,
  challenge: parseChallenge,
  'auth-request': parseAuthRequest,
  'auth-reply': parseAuthReply,
  'update-offer': parseUpdateOffer,
  'update-session': parseUpdateSession,
  'chunk-ack': parseChunkAck,
  'commit-reply': parseCommitReply,
  'reboot-reply': parseRebootReply,
  'scheduled-reboot-request': parseScheduleRequest,
  'scheduled-reboot': (json) => parseScheduledReboot(json),
  'webrtc-signal': parseWebRtcOffer,
  error: parseErrorBody,
  'request-frame': parseRequestFrame,
  'reply-frame': parseReplyFrame,
  'chunk-frame-header': parseChunkFrameHeader,
  'tree-listing': parseTreeListing,
};

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const schemaFiles = readdirSync(`${docsDir}protocol`).filter((f) => f.endsWith('.schema.json'));
const validators = Object.fromEntries(
  schemaFiles.map((f) => [f.replace('.schema.json', ''), ajv.compile(JSON.parse(readFileSync(`${docsDir}protocol/${f}`, 'utf8')))]),
);

const examples = [...doc.matchAll(/<!-- example: ([a-z-]+) -->\s*```json\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, json: JSON.parse(m[2]!) as unknown }));

function parserAccepts(name: string, json: unknown): boolean {
  try {
    parsers[name]!(json);
    return true;
  } catch (err) {
    if (err instanceof MessageError) return false;
    throw err;
  }
}

/** Every variant of `value` with one field removed or replaced by a value of another kind. */
function* mutations(value: unknown, path: string[] = []): Generator<{ where: string; value: unknown }> {
  if (typeof value !== 'object' || value === null) return;
  const replacements: unknown[] = [null, 'x', '', -1, 1.5, 0, {}, [], true];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const at = [...path, key];
    const rebuild = (replace: (container: any) => void) => {
      const copy = structuredClone(value) as any;
      replace(copy);
      return copy;
    };
    if (!Array.isArray(value)) yield { where: `${at.join('.')} removed`, value: rebuild((c) => delete c[key]) };
    const near =
      typeof child === 'number'
        ? [child - 1, child + 1, 2 ** 32, -child]
        : typeof child === 'string'
          ? [`${child}!`, child.toUpperCase(), 'a'.repeat(129), 'a'.repeat(513), 'a'.repeat(1025), 'a'.repeat(65537)]
          : [];
    for (const r of [...replacements, ...near]) yield { where: `${at.join('.')} = ${JSON.stringify(r).slice(0, 40)}`, value: rebuild((c) => (c[key] = r)) };
    for (const inner of mutations(child, at)) yield { where: inner.where, value: rebuild((c) => (c[key] = inner.value)) };
  }
}

/** The one rule JSON Schema cannot say, written in the schemas' descriptions: a session's offset is at most its size. */
function breaksCrossFieldRule(name: string, value: unknown): boolean {
  const v = value as { offset?: unknown; size?: unknown };
  return (name === 'update-session' || name === 'chunk-ack') && typeof v.offset === 'number' && typeof v.size === 'number' && v.offset > v.size;
}

describe('docs/protocol.md and the schemas', () => {
  it('has a schema and a parser for every message, and an example of each in the document', () => {
    expect(Object.keys(validators).sort()).toEqual(Object.keys(parsers).sort());
    expect([...new Set(examples.map((e) => e.name))].sort()).toEqual(Object.keys(parsers).sort());
  });

  it('every example passes its schema and its parser', () => {
    for (const { name, json } of examples) {
      const validate = validators[name]!;
      expect(validate(json), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(parserAccepts(name, json), name).toBe(true);
    }
  });

  it('schema and parser accept and refuse the same mutations of every example', () => {
    let checked = 0;
    for (const { name, json } of examples) {
      for (const mutation of mutations(json)) {
        const bySchema = validators[name]!(mutation.value) && !breaksCrossFieldRule(name, mutation.value);
        expect(parserAccepts(name, mutation.value), `${name}: ${mutation.where}: the schema says ${bySchema}`).toBe(bySchema);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('lists every refusal code with the status the library uses, and no others', () => {
    const table = doc.slice(doc.indexOf('## 6. Refusals'), doc.indexOf('## 7.'));
    const rows = [...table.matchAll(/^\| `([a-z-]+)` \| (\d{3})/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows.sort()).toEqual(Object.entries(ERROR_CODES).map(([code, e]) => `${code} ${e.status}`).sort());
  });

  it('the test vectors in the appendix hold', async () => {
    const v = JSON.parse(/<!-- vectors -->\s*```json\n([\s\S]*?)```/.exec(doc)![1]!);
    const key = await deriveKey(v.secret, v.salt, v.iterations);
    expect(toHex(key)).toBe(v.key);
    const input = { challengeId: v.challengeId, nonce: v.nonce, clientId: v.clientId, clientNonce: v.clientNonce };
    expect(await clientProof(key, input)).toBe(v.proof);
    expect(await deviceProof(key, input)).toBe(v.deviceProof);
    const session = await sessionKey(key, v.challengeId, v.clientNonce);
    expect(toHex(session)).toBe(v.sessionKey);
    expect(await fingerprintProof(session, 'offer', v.offerFingerprint)).toBe(v.offerProof);
    expect(await fingerprintProof(session, 'answer', v.answerFingerprint)).toBe(v.answerProof);
    expect(await contentDigest(new Uint8Array(65536).fill(0xab))).toBe(v.chunkDigest);
    for (const r of v.requests as Array<{ method: string; target: string; digest: string; counter: number; mac: string }>) {
      expect(await requestMac(session, r)).toBe(r.mac);
    }
    expect(normalizePairingSecret(v.pairingCodeTyped)).toBe(v.pairingCode);
  });

  it('the signed-release vector holds: key id, signature over the exact manifest bytes, the image it lists', async () => {
    const v = JSON.parse(/<!-- signed-release vector -->\s*```json\n([\s\S]*?)```/.exec(doc)![1]!);
    const key = await parsePublicKey(v.publicKey);
    expect([key.keyId, key.fingerprint, v.signature.keyId]).toEqual([v.keyId, v.fingerprint, v.keyId]);
    const manifest = Buffer.from(v.manifest, 'base64');
    const signature = new TextEncoder().encode(JSON.stringify(v.signature));
    expect((await checkManifestSignature(manifest, signature, [key])).status).toBe('signed');
    const tampered = Buffer.from(manifest);
    tampered[tampered.length - 2]! ^= 1;
    expect((await checkManifestSignature(tampered, signature, [key])).status).toBe('bad-signature');
    const listed = JSON.parse(manifest.toString('utf8')).files[0];
    expect(listed.sha256).toBe(v.imageSha256);
    expect(toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(1024).fill(0xab))))).toBe(v.imageSha256);
    const shown = /The manifest's text:\s*```\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(shown).toBe(manifest.toString('utf8'));
  });
});
