// Signed releases on the MicroPython agent (docs/protocol.md §4.9): a board given publisher keys (as
// `--trusted-keys` gives them) verifies each release itself, inside the MicroPython interpreter, before it takes a
// byte: signed firmware and a signed source tree are installed and confirmed; unsigned, untrusted, tampered or lying
// offers are refused with the protocol's codes; a tree file the signed manifest does not list is refused before any
// swap, and the running tree stays as it was. Real sockets on 127.0.0.1, the agent behind its Node bridge.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicroPythonAgent, type RunningMicroPythonAgent } from '../../agents/micropython/bridge/agent.ts';
import { installTrustedKeys } from '../../agents/micropython/bridge/trusted-keys.ts';
import type { SigningKey } from '../../packages/bundle/src/trust/index.ts';
import { expectOk, type Image, makeImage, Probe, type Session } from '../../packages/conformance/src/probe.ts';
import type { DeviceDocument } from '../../packages/protocol/src/index.ts';
import { deviceDir } from './agent-support.ts';
import { BOARD_SETTINGS, boardJournal, boardTree, boardWithEnv, expectedTree, PASSWORD, sortedTree } from './micropython-tree-support.ts';
import {
  firmwareManifest, firmwareOffer, keyFolder, publisherKey, signed, tampered, treeManifest, treeOffer, treePayload,
} from './micropython-signed-support.ts';

let ed: SigningKey;
let p256: SigningKey;
let stranger: SigningKey;
let agent: RunningMicroPythonAgent;
let probe: Probe;
let session: Session;
const dir = boardWithEnv();
const log: string[] = [];

beforeAll(async () => {
  [ed, p256, stranger] = await Promise.all([publisherKey('ed25519'), publisherKey('ecdsa-p256'), publisherKey('ed25519')]);
  await installTrustedKeys(dir, keyFolder([ed, p256]));
  agent = await startMicroPythonAgent({ dir, settings: { ...BOARD_SETTINGS, test_hooks: true }, secret: PASSWORD, log: (line) => log.push(line) });
  probe = new Probe(agent.url, PASSWORD);
  session = await probe.login('signed-test');
}, 60_000);
afterAll(async () => {
  probe?.close();
  await agent?.close();
});

function refused(reply: { status: number; body: unknown }): { status: number; code: string; message: string } & Record<string, unknown> {
  const error = (reply.body as { error: { code: string; message: string } & Record<string, unknown> }).error;
  return { status: reply.status, ...error };
}

/** Restarts the board with the test hook; resolves once it booted again (its agent logs the keys at each start) and listens. */
async function restart(): Promise<void> {
  const boots = () => log.filter((line) => line.includes('trusts release keys')).length;
  const before = boots();
  expect((await session.request('POST', 'test/restart', {})).status).toBe(202);
  const deadline = Date.now() + 30_000;
  while (boots() === before) {
    if (Date.now() > deadline) throw new Error('the board did not start again within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await agent.settled();
  session = await probe.login('signed-test');
}

/** Commits, reboots and waits for the board's verdict on `sha256` (it is away while it restarts). */
async function install(sha256: string): Promise<DeviceDocument> {
  expectOk(await session.request('POST', `updates/${sha256}/commit`, {}), 'the commit');
  expect((await session.request('POST', 'reboot', {})).status).toBe(202);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    // Read raw: the document's counterSources say "signed-manifest", which the client's parser may not know yet.
    const doc = (await probe.raw('GET', '/fieldflash/v1/device').catch(() => undefined))?.body as DeviceDocument | undefined;
    if (doc?.lastUpdate?.sha256 === sha256 && doc.lastUpdate.outcome !== 'pending') {
      session = await probe.login('signed-test');
      return doc;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no verdict on ${sha256.slice(0, 12)} within 30 s`);
}

describe('a MicroPython board that trusts publisher keys', () => {
  it('says so in its device document: the capability and the key ids, nothing secret', async () => {
    const doc = (await probe.raw('GET', '/fieldflash/v1/device')).body as DeviceDocument & { trust: { keyIds: string[] } };
    expect(doc.capabilities).toContain('signed-releases');
    expect(doc.trust).toEqual({ keyIds: [ed.publicKey.keyId, p256.publicKey.keyId].sort() });
  });

  it('installs signed firmware: verified in the interpreter, counters from the signed manifest, journaled', async () => {
    const image = makeImage(20_000);
    const spec = { version: '1.1.0', sequence: 2 };
    const release = await signed(await firmwareManifest(image, spec), ed);
    expectOk(await session.request('POST', 'updates', firmwareOffer(image, spec, release.release)), 'the signed offer');
    await session.sendFrom(image, 0, 16_384);
    const doc = await install(image.sha256);
    expect(doc.lastUpdate).toMatchObject({ version: '1.1.0', outcome: 'confirmed' });
    expect(doc).toMatchObject({ version: '1.1.0', sequence: 2, counterSources: { sequence: 'signed-manifest', securityVersion: 'signed-manifest' } });
    expect(log.some((line) => /signature verified in \d+ ms \(ed25519, key [0-9a-f]{16}\)/.test(line))).toBe(true);
    const journal = JSON.parse(readFileSync(join(dir, 'flash', 'fieldflash', 'journal.json'), 'utf8')) as { slots: Record<string, { sha256?: string; signedBy?: string }> };
    expect(Object.values(journal.slots).find((s) => s.sha256 === image.sha256)?.signedBy).toBe(ed.publicKey.keyId);
  }, 60_000);

  it('keeps what the signature vouched for across a restart: the upload resumes and installs with the signed counters', async () => {
    const image = makeImage(40_000);
    const spec = { version: '1.1.5', sequence: 3 };
    const release = await signed(await firmwareManifest(image, spec), ed);
    expectOk(await session.request('POST', 'updates', firmwareOffer(image, spec, release.release)), 'the signed offer');
    expectOk(await session.chunk(image.sha256, 0, image.bytes.subarray(0, 16_384)), 'the first chunk');
    await restart();
    // No new offer: the session the board kept on flash goes on.
    const status = expectOk(await session.request('GET', `updates/${image.sha256}`), 'the session after the restart') as { offset: number };
    expect(status.offset).toBe(16_384);
    await session.sendFrom(image, status.offset, 16_384);
    const doc = await install(image.sha256);
    expect(doc).toMatchObject({ version: '1.1.5', sequence: 3, counterSources: { sequence: 'signed-manifest' } });
  }, 60_000);

  it('takes a release signed with ECDSA P-256 as well', async () => {
    const image = makeImage(4096);
    const spec = { version: '1.1.6', sequence: 3 };
    const release = await signed(await firmwareManifest(image, spec), p256);
    const reply = await session.request('POST', 'updates', firmwareOffer(image, spec, release.release));
    expect(reply.status).toBe(200);
    expect(log.some((line) => /signature verified in \d+ ms \(ecdsa-p256/.test(line))).toBe(true);
    await session.discard(image.sha256);
  }, 30_000);

  it('refuses what it cannot trust, before it takes a byte, with the code and what to do', async () => {
    const image = makeImage(4096);
    const spec = { version: '1.2.0', sequence: 4 };
    const manifest = await firmwareManifest(image, spec);
    const good = await signed(manifest, ed);
    const offer = (release?: unknown, change: Record<string, unknown> = {}) => session.request('POST', 'updates', { ...firmwareOffer(image, spec), ...(release ? { release } : {}), ...change });

    expect(refused(await offer())).toMatchObject({ status: 403, code: 'signature-required', keyIds: [ed.publicKey.keyId, p256.publicKey.keyId].sort() });
    expect(refused(await offer((await signed(manifest, stranger)).release))).toMatchObject({ status: 403, code: 'untrusted-key', keyId: stranger.publicKey.keyId });
    const changed = tampered(good, (text) => text.replace('"sequence": 4', '"sequence": 9'));
    expect(refused(await offer(changed))).toMatchObject({ status: 422, code: 'bad-signature' });
    expect(refused(await offer({ ...good.release, signature: { ...good.release.signature, signature: 'not base64!' } }))).toMatchObject({ status: 400, code: 'bad-request' });
    // The offer may only repeat what the signed manifest says.
    expect(refused(await offer(good.release, { sequence: 40 }))).toMatchObject({ status: 422, code: 'image-mismatch', field: 'sequence', offered: 40, image: 4 });
    expect(refused(await offer(good.release, { version: '9.0.0' }))).toMatchObject({ status: 422, code: 'image-mismatch', field: 'version', image: '1.2.0' });
    const other = makeImage(4096);
    const notListed = refused(await session.request('POST', 'updates', { ...firmwareOffer(other, spec), release: good.release }));
    expect(notListed).toMatchObject({ status: 422, code: 'not-in-release', sha256: other.sha256 });
    const s3 = await signed(await firmwareManifest(image, { ...spec, chipFamily: 'ESP32-S3' }), ed);
    expect(refused(await offer(s3.release))).toMatchObject({ status: 409, code: 'incompatible-chip', image: 'ESP32-S3' });
    const webTools = await signed(JSON.stringify({ name: 'x', builds: [] }), ed);
    expect(refused(await offer(webTools.release))).toMatchObject({ status: 422, code: 'unsupported-manifest' });
    // Signed counters are compared as the device's own: an older sequence is refused, whatever the offer says.
    const older = await signed(await firmwareManifest(image, { version: '1.2.0', sequence: 1 }), ed);
    expect(refused(await offer(older.release, { sequence: 1 }))).toMatchObject({ status: 409, code: 'sequence-too-low', image: 1 });
    // None of them opened a session.
    expect((await session.request('GET', `updates/${image.sha256}`)).status).toBe(404);
  }, 60_000);
});

describe('signed source trees on the MicroPython board', () => {
  async function offerTree(payload: Image, version: string, release: unknown): Promise<void> {
    expectOk(await session.request('POST', 'updates', { ...treeOffer(payload, version), release }), 'the signed tree offer');
  }

  it('installs a signed tree: every file checked against the signed manifest, then swapped in and confirmed', async () => {
    const release = await signed(await treeManifest('1.2.0'), ed);
    const payload = await treePayload(session, '1.2.0');
    await offerTree(payload, '1.2.0', release.release);
    await session.sendFrom(payload, 0, 4096);
    const doc = await install(payload.sha256);
    expect(doc.lastUpdate).toMatchObject({ version: '1.2.0', outcome: 'confirmed' });
    expect(doc).toMatchObject({ version: '1.2.0', sequence: 13, counterSources: { sequence: 'signed-manifest' } });
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.2.0'));
  }, 60_000);

  it('refuses a tree file that is not the signed one as it arrives: nothing staged, the running tree unchanged', async () => {
    const release = await signed(await treeManifest('1.3.0', { later: true }), ed);
    const payload = await treePayload(session, '1.3.0', { later: true }, { replace: { 'main.py': new TextEncoder().encode('import fieldflash\nfieldflash.confirm()\n') } });
    await offerTree(payload, '1.3.0', release.release);
    const reply = refused(await session.chunk(payload.sha256, 0, payload.bytes.subarray(0, 4096)));
    expect(reply).toMatchObject({ status: 422, code: 'not-in-release', path: 'main.py' });
    expect(reply.message).toContain('running tree is unchanged');
    expect(existsSync(join(dir, 'flash', 'app.new'))).toBe(false);
    expect(boardJournal(dir).tree?.staged).toBeNull();
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.2.0'));
  }, 30_000);

  it('refuses at commit a tree that would keep a file the signed release does not have', async () => {
    const release = await signed(await treeManifest('1.3.0', { later: true }), ed);
    const payload = await treePayload(session, '1.3.0', { later: true }, { keep: ['lib/old.py'] });
    await offerTree(payload, '1.3.0', release.release);
    await session.sendFrom(payload, 0, 4096);
    const reply = refused(await session.request('POST', `updates/${payload.sha256}/commit`, {}));
    expect(reply).toMatchObject({ status: 422, code: 'not-in-release', path: 'lib/old.py' });
    expect(boardJournal(dir).tree?.staged).toBeNull();
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.2.0'));
  }, 30_000);

  it('refuses an unsigned tree and one whose offer lies about its sequence', async () => {
    const payload = await treePayload(session, '1.3.0', { later: true });
    expect(refused(await session.request('POST', 'updates', treeOffer(payload, '1.3.0')))).toMatchObject({ status: 403, code: 'signature-required' });
    const release = await signed(await treeManifest('1.3.0', { later: true }), ed);
    const lying = refused(await session.request('POST', 'updates', { ...treeOffer(payload, '1.3.0', release.release, 99) }));
    expect(lying).toMatchObject({ status: 422, code: 'image-mismatch', field: 'sequence', offered: 99, image: 13 });
  }, 30_000);
});

describe('npm run agent:micropython -- --trusted-keys DIR', () => {
  const CLI = fileURLToPath(new URL('../../agents/micropython/bridge/cli.ts', import.meta.url));

  /** Runs the bridge's command until it listens (then stops it) or exits; its output and exit code. */
  function run(args: string[]): Promise<{ out: string; code: number | null; dir: string }> {
    const board = deviceDir();
    const secret = join(board, '..', `${board.split('/').pop()}.secret`);
    writeFileSync(secret, PASSWORD);
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--dir', board, '--port', '0', '--password-file', secret, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    return new Promise((resolve) => {
      const seen = (chunk: Buffer) => {
        out += chunk.toString();
        if (/listening on http/.test(out)) child.kill('SIGKILL');
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.once('exit', (code) => resolve({ out, code, dir: board }));
    });
  }

  it('puts the keys on the board, which names them as it starts', async () => {
    const { out, dir: board } = await run(['--trusted-keys', keyFolder([ed])]);
    expect(out).toContain(`The board trusts ${ed.publicKey.keyId} (ed25519, publisher ed25519): it installs only releases they signed.`);
    expect(out).toContain(`trusts release keys ${ed.publicKey.keyId}`);
    expect(readFileSync(join(board, 'flash', 'fieldflash', 'keys', 'publisher-0.pub.json'), 'utf8')).toContain(ed.publicKey.keyId);
  }, 60_000);

  it('stops with what is wrong when a key file cannot be used', async () => {
    const keys = keyFolder([]);
    writeFileSync(join(keys, 'secret.pem'), '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n');
    const { out, code } = await run(['--trusted-keys', keys]);
    expect(code).toBe(2);
    expect(out).toContain('secret.pem: This is a private key. Never hand it to FieldFlash or anyone else.');
  }, 60_000);
});
