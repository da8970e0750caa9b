// The single-request upload (docs/protocol.md §4.6) from the update client against the reference agent, over real
// sockets on 127.0.0.1: the rest of the image in one signed PUT, resumed from the offset the device kept after the
// link broke in the middle of it or the agent was killed (-9) and restarted, paced chunks under a speed limit, and
// chunks for a device that takes nothing else.
// Node's fetch carries the single request here (the page uses XMLHttpRequest for its progress; lan-browser tests it).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeviceRefusal, HttpTransport, type HttpTarget, refusesSingleRequest, sendRest, updateDevice, type UpdateOptions, type UpdateProgress, type UpdateSession,
} from '@fieldflash/protocol';
import { NodeHttpTransport } from '@fieldflash/protocol/node';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { Probe } from '../../packages/conformance/src/probe.ts';
import { deviceDir, PASSWORD, release, spawnAgent, testImage } from './agent-support.ts';
import { MidRequestCut, partialHolds } from './mid-request-cut.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Device {
  agent: RunningAgent;
  dir: string;
  /** What the agent logged. */
  lines: string[];
}

async function device(extra: Partial<Parameters<typeof startAgent>[0]> = {}): Promise<Device> {
  const dir = deviceDir();
  const lines: string[] = [];
  const agent = await startAgent({ dir, password: PASSWORD, version: '1.0.0', log: (line) => lines.push(line), ...extra });
  cleanups.push(() => agent.close());
  return { agent, dir, lines };
}

/** The fetch transport with single requests on, as the page's is by default. */
const singleRequests = (target: HttpTarget) => new HttpTransport({ ...target, singleRequest: true });

function options(url: string, image: ReturnType<typeof testImage>, extra: Partial<UpdateOptions> = {}): UpdateOptions {
  return { url, password: PASSWORD, clientId: 'single-request-test', release: release('1.3.0'), image: image.source, httpTransport: singleRequests, backoffMs: { first: 20, max: 50 }, ...extra };
}

/** Where each single request the device received started, from its log. */
const singleRequestsFrom = (lines: string[]) => lines.flatMap((line) => /: the rest of [0-9a-f]{12}… in one request, from (\d+)$/.exec(line)?.[1] ?? []).map(Number);

/** Waits until the agent in `dir` has recorded `offset` as durable for its partial upload of `sha256`. */
async function durableAt(dir: string, sha256: string, offset: number): Promise<void> {
  const record = join(dir, 'uploads', `${sha256}.progress`);
  const last = () => (existsSync(record) ? Number(readFileSync(record, 'utf8').split('\n').filter(Boolean).at(-1) ?? 0) : 0);
  await expect.poll(last, { timeout: 10_000 }).toBe(offset);
}

const slotSha256 = (dir: string, slot: string) => createHash('sha256').update(readFileSync(join(dir, 'slots', `${slot}.img`))).digest('hex');

describe('the rest of the image in one request', () => {
  it('arrives in a single PUT without Content-Digest and commits', async () => {
    const d = await device();
    const image = testImage(3 * 1024 * 1024 + 77);
    const events: UpdateProgress[] = [];
    const verdict = await updateDevice(options(d.agent.url, image, { onProgress: (p) => events.push(p) }));
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: image.sha256, slot: 'b' });
    expect(singleRequestsFrom(d.lines)).toEqual([0]);
    expect(events.some((e) => e.phase === 'retrying')).toBe(false);
    expect(events.findLast((e) => e.phase === 'sending')).toMatchObject({ offset: image.bytes.length, sentBytes: image.bytes.length });
    expect(slotSha256(d.dir, 'b')).toBe(image.sha256);
  });

  it('from Node as `npm run push` sends (node:http), streamed from the Blob in one PUT, with progress, and commits', async () => {
    const d = await device();
    const image = testImage(5 * 1024 * 1024 + 3);
    const events: UpdateProgress[] = [];
    const verdict = await updateDevice(options(d.agent.url, image, { httpTransport: (target) => new NodeHttpTransport(target), onProgress: (p) => events.push(p) }));
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: image.sha256, slot: 'b' });
    expect(singleRequestsFrom(d.lines)).toEqual([0]);
    const sent = events.filter((e) => e.phase === 'sending').map((e) => e.sentBytes);
    expect(sent.at(-1)).toBe(image.bytes.length);
    expect(slotSha256(d.dir, 'b')).toBe(image.sha256);
  });

  it('broken in the middle, goes on with another single request from the offset the device kept', async () => {
    const d = await device();
    const image = testImage(4 * 1024 * 1024);
    const kept = 1024 * 1024 + 12_345;
    const relay = await MidRequestCut.start(d.agent.port, `PUT /fieldflash/v1/updates/${image.sha256}?offset=0 `, kept);
    cleanups.push(() => relay.close());
    const events: UpdateProgress[] = [];
    const update = updateDevice(options(relay.url, image, { onProgress: (p) => events.push(p) }));
    await relay.reached;
    await partialHolds(d.dir, image.sha256, kept);
    relay.cut();
    expect(await update).toMatchObject({ outcome: 'confirmed', sha256: image.sha256, slot: 'b' });
    expect(d.lines).toContain(`single-request-test: the request ended at ${kept} of ${image.bytes.length} bytes; ${kept} are on disk`);
    expect(singleRequestsFrom(d.lines)).toEqual([0, kept]);
    // A broken request is the link's doing, not a fault of the device's.
    expect(d.lines.filter((line) => line.startsWith('internal error'))).toEqual([]);
    expect(events.filter((e) => e.phase === 'retrying')).toHaveLength(1);
    expect(slotSha256(d.dir, 'b')).toBe(image.sha256);
  });

  it('after kill -9 of the agent in the middle, goes on from the offset the device had made durable', async () => {
    const dir = deviceDir();
    const lines: string[] = [];
    const spawn = async (port: number) => {
      const started = await spawnAgent(dir, port);
      started.child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
      cleanups.push(async () => void started.child.kill('SIGKILL'));
      return started;
    };
    const first = await spawn(0);
    const image = testImage(4 * 1024 * 1024);
    const kept = 2 * 1024 * 1024 + 5;
    const relay = await MidRequestCut.start(first.port, `PUT /fieldflash/v1/updates/${image.sha256}?offset=0 `, kept);
    cleanups.push(() => relay.close());
    const update = updateDevice({ ...options(relay.url, image), backoffMs: { first: 250, max: 2_000 } });
    await relay.reached;
    // The stalled upload is made durable once the bytes stop coming (a group commit after a pause): a power cut then
    // loses nothing of it.
    await durableAt(dir, image.sha256, kept);
    first.child.kill('SIGKILL');
    await first.exited;
    lines.length = 0;
    await spawn(first.port);
    expect(await update).toMatchObject({ outcome: 'confirmed', sha256: image.sha256, slot: 'b' });
    expect(lines.some((line) => line.endsWith(`continuing at ${kept}`))).toBe(true);
    expect(singleRequestsFrom(lines)).toEqual([kept]);
    expect(slotSha256(dir, 'b')).toBe(image.sha256);
  });

  it('with a speed limit, goes in paced chunks instead', async () => {
    const d = await device();
    const image = testImage(512 * 1024);
    const verdict = await updateDevice(options(d.agent.url, image, { throttleKiBps: 4096 }));
    expect(verdict.outcome).toBe('confirmed');
    expect(singleRequestsFrom(d.lines)).toEqual([]);
    expect(slotSha256(d.dir, 'b')).toBe(image.sha256);
  });

  it('started at an offset the device is not at: 409 offset-mismatch with the device\'s offset', async () => {
    const d = await device();
    const image = testImage(300_000);
    const probe = new Probe(d.agent.url, PASSWORD);
    cleanups.push(async () => probe.close());
    const session = await probe.login('single-request-test');
    const http = new HttpTransport({ url: d.agent.url, clientId: 'single-request-test', signer: session.signer, singleRequest: true });
    const offer = { sha256: image.sha256, size: image.bytes.length, version: '1.3.0', chipFamily: 'ESP32', securityVersion: 1 };
    const opened = (await http.request('POST', '/updates', offer)).body as UpdateSession;
    const result = await sendRest({ transport: http, image: image.source, session: { ...opened, offset: 1000 } });
    expect(result.failure).toBeInstanceOf(DeviceRefusal);
    expect(result.failure).toMatchObject({ status: 409, code: 'offset-mismatch', details: { offset: 0 } });
    expect(refusesSingleRequest(result.failure!)).toBe(false);
    expect(singleRequestsFrom(d.lines)).toEqual([]);
  });
});

describe('a device that takes chunks only', () => {
  it('refuses a small single request as a chunk without Content-Digest (400): the client sends chunks, without a retry', async () => {
    const d = await device({ singleRequest: false });
    const image = testImage(100_000);
    const events: UpdateProgress[] = [];
    const verdict = await updateDevice(options(d.agent.url, image, { onProgress: (p) => events.push(p) }));
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: image.sha256 });
    expect(events.some((e) => e.phase === 'retrying')).toBe(false);
    expect(singleRequestsFrom(d.lines)).toEqual([]);
    expect(slotSha256(d.dir, 'b')).toBe(image.sha256);
  });

  it('refuses a large one (413, the connection closed unread): the client sends chunks and the update completes', async () => {
    const d = await device({ singleRequest: false });
    const image = testImage(3 * 1024 * 1024);
    const verdict = await updateDevice(options(d.agent.url, image));
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: image.sha256 });
    expect(singleRequestsFrom(d.lines)).toEqual([]);
    expect(slotSha256(d.dir, 'b')).toBe(image.sha256);
  });

  it('tells a refusal of the request as such from one about the session', () => {
    const refusal = (status: number, code: string) => new DeviceRefusal(status, { code, message: code });
    expect(refusesSingleRequest(refusal(413, 'too-large'))).toBe(true);
    expect(refusesSingleRequest(refusal(400, 'bad-request'))).toBe(true);
    expect(refusesSingleRequest(refusal(411, 'bad-reply'))).toBe(true);
    for (const [status, code] of [[409, 'offset-mismatch'], [401, 'replayed'], [409, 'busy'], [404, 'unknown-session'], [408, 'timeout']] as const) {
      expect(refusesSingleRequest(refusal(status, code))).toBe(false);
    }
  });
});
