// LAN updates of a source tree on the MicroPython agent (docs/protocol.md §4.8), with the protocol client against
// the agent in the MicroPython interpreter behind the bridge: a first install and a delta, each file on the board's
// filesystem checked and env.py untouched; rollbacks when the new main raises or never confirms; a payload resumed
// after a power cut; and refusals of what a board must not take.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicroPythonAgent, type RunningMicroPythonAgent } from '../../agents/micropython/bridge/agent.ts';
import { expectOk, Probe } from '../../packages/conformance/src/probe.ts';
import { buildTreePayload, parseTreeListing, type UpdateProgress } from '../../packages/protocol/src/index.ts';
import { BOARD_ENV } from '../fixtures/micropython-lan-app.ts';
import {
  appRelease, BOARD_SETTINGS, boardJournal, boardTree, boardWithEnv, expectedTree, PASSWORD, pushTree, sortedTree,
} from './micropython-tree-support.ts';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const settings = { ...BOARD_SETTINGS, confirm_within_s: 3, test_hooks: true };

describe('source-tree updates over the LAN', () => {
  const dir = boardWithEnv();
  let agent: RunningMicroPythonAgent;
  beforeAll(async () => {
    agent = await startMicroPythonAgent({ dir, settings, secret: PASSWORD, log: () => {} });
  }, 30_000);
  afterAll(() => agent?.close());

  it('installs a tree, then sends only the files that changed; env.py is never touched and .version says the version', async () => {
    const first: UpdateProgress[] = [];
    expect((await pushTree(agent.url, await appRelease('1.2.0'), first)).outcome).toBe('confirmed');
    expect(first.at(-1)!.tree).toMatchObject({ filesSent: 6, files: 6, removed: 0, bytesSaved: 0 });
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.2.0'));

    const second: UpdateProgress[] = [];
    const verdict = await pushTree(agent.url, await appRelease('1.3.0', { later: true }), second);
    expect(verdict).toMatchObject({ outcome: 'confirmed', version: '1.3.0', slot: 'tree' });
    const delta = second.at(-1)!.tree!;
    // main.py and version_info.py changed, lib/new/ is new, lib/old.py is gone; the rest stayed on the board.
    expect(delta).toMatchObject({ filesSent: 4, files: 7, removed: 1 });
    expect(delta.bytesSaved).toBeGreaterThan(100);
    expect(delta.bytesToSend + delta.bytesSaved).toBe(delta.totalBytes);
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.3.0', { later: true }));
    expect(readFileSync(join(dir, 'flash', 'app', 'env.py'))).toEqual(Buffer.from(BOARD_ENV));
    expect(readFileSync(join(dir, 'flash', 'app', '.version'), 'utf8')).toBe('1.3.0\n');
    expect(verdict.device).toMatchObject({ version: '1.3.0', sequence: 13, runtime: { name: 'micropython', version: '1.27.0' } });
    expect(verdict.device.capabilities).toContain('source-tree');
  }, 60_000);

  it('lists the running tree without the device-local files and .version', async () => {
    const probe = new Probe(agent.url, PASSWORD);
    try {
      const session = await probe.login('lister');
      const listing = parseTreeListing(expectOk(await session.request('GET', 'tree'), 'the listing'));
      const onBoard = boardTree(dir);
      expect(listing.root).toBe('/app');
      expect(listing.version).toBe('1.3.0');
      expect(Object.fromEntries(listing.files.map((f) => [f.path, f.sha256]))).toEqual(Object.fromEntries(Object.entries(onBoard).filter(([p]) => p !== 'env.py' && p !== '.version')));
      expect((await probe.raw('GET', '/fieldflash/v1/tree')).status).toBe(401);
    } finally {
      probe.close();
    }
  });

  it('rolls back when the new main raises as it starts, and when it never confirms; the tree before stays whole', async () => {
    const raised = await pushTree(agent.url, await appRelease('1.4.0', { later: true, broken: true }));
    expect(raised).toMatchObject({ outcome: 'rolled-back', reason: "main.py raised ImportError: no module named 'lib.calibration'" });
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.3.0', { later: true }));
    const silent = await pushTree(agent.url, await appRelease('1.4.1', { later: true, silent: true }));
    expect(silent).toMatchObject({ outcome: 'rolled-back', reason: 'the application did not call agent.confirm() within 3 s of the test boot' });
    expect(sortedTree(boardTree(dir))).toEqual(expectedTree('1.3.0', { later: true }));
    expect(silent.device.version).toBe('1.3.0');
  }, 60_000);
});

describe('a source-tree payload on the wire', () => {
  const dir = boardWithEnv();
  let agent: RunningMicroPythonAgent;
  let probe: Probe;
  beforeAll(async () => {
    agent = await startMicroPythonAgent({ dir, settings, secret: PASSWORD, log: () => {} });
    probe = new Probe(agent.url, PASSWORD);
  }, 30_000);
  afterAll(async () => {
    probe?.close();
    await agent?.close();
  });

  const files = (count: number) =>
    Array.from({ length: count }, (_, i) => {
      const data = new TextEncoder().encode(`# module ${i}\nVALUE = ${i}\n${'#'.repeat(900)}\n`);
      return { path: `lib/m${i}.py`, sha256: sha(data), size: data.length, data: new Blob([data]) };
    });
  const offerOf = (payload: { sha256: string; bytes: Uint8Array }, change: Record<string, unknown> = {}) => ({
    sha256: payload.sha256, size: payload.bytes.length, version: '2.0.0', product: 'Greenhouse Sensor', sequence: 20, securityVersion: 0, chipFamily: 'ESP32',
    kind: 'source-tree', runtime: { name: 'micropython', minVersion: '1.22.0' }, ...change,
  });

  it('is refused for a newer MicroPython than the board runs, and when it would write env.py', async () => {
    const session = await probe.login('refused');
    const payload = await buildTreePayload({ version: '2.0.0', entry: 'main', deviceLocal: ['env.py'], write: files(1), remove: [] });
    const newer = await session.request('POST', 'updates', offerOf(payload, { runtime: { name: 'micropython', minVersion: '9.0.0' } }));
    expect(newer.status).toBe(409);
    expect(newer.body).toMatchObject({ error: { code: 'incompatible-runtime', device: '1.27.0', image: '9.0.0' } });

    const env = new TextEncoder().encode('WIFI_PASSWORD = "publisher"\n');
    const bad = await buildTreePayload({ version: '2.0.0', entry: 'main', deviceLocal: [], write: [{ path: 'env.py', sha256: sha(env), size: env.length, data: new Blob([env]) }], remove: [] });
    expectOk(await session.request('POST', 'updates', offerOf(bad)), 'the offer');
    const chunk = await session.chunk(bad.sha256, 0, bad.bytes);
    expect(chunk.status).toBe(400);
    expect((chunk.body as { error: { message: string } }).error.message).toMatch(/env\.py, a device-local file an update never writes or removes/);
    expect((await session.request('GET', `updates/${bad.sha256}`)).status).toBe(404);
    expect(readFileSync(join(dir, 'flash', 'app', 'env.py'))).toEqual(Buffer.from(BOARD_ENV));
  });

  it('resumes after a power cut from the end of its last whole record, and commits what was offered', async () => {
    const payload = await buildTreePayload({ version: '2.0.0', entry: 'main', deviceLocal: ['env.py'], write: files(40), remove: [] });
    let session = await probe.login('resumer');
    const opened = expectOk(await session.request('POST', 'updates', offerOf(payload)), 'the offer') as { chunkSize: number; window: number; slot: string };
    expect(opened).toMatchObject({ chunkSize: 4096, window: 1, slot: 'tree' });
    let offset = 0;
    for (let i = 0; i < 5; i++) offset = (expectOk(await session.chunk(payload.sha256, offset, payload.bytes.subarray(offset, offset + 4096)), 'a chunk') as { offset: number }).offset;
    expect(offset).toBe(5 * 4096);
    // The board records its progress shortly after the last write (upload.json); once it has, the power goes.
    const recorded = () => (JSON.parse(readFileSync(join(dir, 'flash', 'fieldflash', 'upload.json'), 'utf8')) as { offset: number }).offset;
    while (recorded() <= 4 * 4096) await new Promise((resolve) => setTimeout(resolve, 20));
    await agent.close();
    probe.close();
    agent = await startMicroPythonAgent({ dir, settings, log: () => {} });
    probe = new Probe(agent.url, PASSWORD);
    session = await probe.login('resumer');
    const resumed = expectOk(await session.request('POST', 'updates', offerOf(payload)), 'the offer again') as { offset: number };
    expect(resumed.offset).toBeGreaterThan(4 * 4096);
    expect(resumed.offset).toBeLessThanOrEqual(5 * 4096);
    // A whole record ends there: the file record's line starts at the offset.
    expect(new TextDecoder().decode(payload.bytes.subarray(resumed.offset, resumed.offset + 5))).toBe('file ');
    await session.sendFrom({ bytes: payload.bytes, sha256: payload.sha256 }, resumed.offset, 4096);
    expect(expectOk(await session.request('POST', `updates/${payload.sha256}/commit`, {}), 'the commit')).toEqual({ slot: 'tree', state: 'pending' });
    expect(boardJournal(dir).lastUpdate).toMatchObject({ version: '2.0.0', outcome: 'pending' });
  }, 60_000);

  it('refuses at commit a payload whose bytes are not the ones offered, and keeps nothing of it', async () => {
    const session = await probe.login('mismatch');
    const offered = await buildTreePayload({ version: '2.0.1', entry: 'main', deviceLocal: ['env.py'], write: files(2), remove: [] });
    const sent = await buildTreePayload({ version: '2.0.1', entry: 'main', deviceLocal: ['env.py'], write: files(2).reverse(), remove: [] });
    expect(sent.bytes.length).toBe(offered.bytes.length);
    expectOk(await session.request('POST', 'updates', offerOf(offered, { version: '2.0.1' })), 'the offer');
    await session.sendFrom({ bytes: sent.bytes, sha256: offered.sha256 }, 0, 4096);
    const commit = await session.request('POST', `updates/${offered.sha256}/commit`, {});
    expect(commit.status).toBe(422);
    expect(commit.body).toMatchObject({ error: { code: 'digest-mismatch', actual: sent.sha256 } });
    expect((await session.request('GET', `updates/${offered.sha256}`)).status).toBe(404);
  });

  it('rolls back a tree whose entry module is not in it, at its test boot', async () => {
    const session = await probe.login('no-entry');
    const payload = await buildTreePayload({ version: '2.1.0', entry: 'app.main', deviceLocal: ['env.py'], write: files(2), remove: [] });
    expectOk(await session.request('POST', 'updates', offerOf(payload, { version: '2.1.0' })), 'the offer');
    await session.sendFrom({ bytes: payload.bytes, sha256: payload.sha256 }, 0, 4096);
    expectOk(await session.request('POST', `updates/${payload.sha256}/commit`, {}), 'the commit');
    expectOk(await session.request('POST', 'reboot', {}), 'the reboot');
    while (boardJournal(dir).lastUpdate?.outcome !== 'rolled-back') await new Promise((resolve) => setTimeout(resolve, 50));
    expect(boardJournal(dir).lastUpdate).toMatchObject({ version: '2.1.0', reason: 'the source tree has no app/main.py to start' });
    expect(Object.keys(boardTree(dir))).toEqual(['env.py']);
  }, 60_000);
});
