// HTTP as small devices speak it (docs/protocol.md §1.3), against the reference agent over real sockets: the update
// client never opens more connections than the device announces in maxConnections (counted at the agent), curl's
// single-request upload with Expect: 100-continue (as in the §4.6 example) goes through, and a chunked body is refused.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HttpTransport, updateDevice, type UpdateOptions } from '@fieldflash/protocol';
import { NodeHttpTransport } from '@fieldflash/protocol/node';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { acceptableOffer, Probe, type Session } from '../../packages/conformance/src/probe.ts';
import { deviceDir, PASSWORD, release, testImage } from './agent-support.ts';

const run = promisify(execFile);
const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function agentWith(extra: Partial<Parameters<typeof startAgent>[0]>): Promise<RunningAgent> {
  const agent = await startAgent({ dir: deviceDir(), password: PASSWORD, version: '1.0.0', log: () => {}, ...extra });
  agents.push(agent);
  return agent;
}

function options(agent: RunningAgent, image: ReturnType<typeof testImage>, extra: Partial<UpdateOptions>): UpdateOptions {
  return { url: agent.url, password: PASSWORD, clientId: 'connections-test', release: release('1.1.0'), image: image.source, ...extra };
}

describe('connections a client opens', () => {
  // Window 8 with small chunks: a client that ignored maxConnections would open 8 connections for chunks alone.
  const device = { chunkSize: 16 * 1024, window: 8, maxConnections: 3 };

  it('the fetch transport keeps to maxConnections 3 with window 8', async () => {
    const agent = await agentWith(device);
    const verdict = await updateDevice(options(agent, testImage(2_000_000), { httpTransport: (target) => new HttpTransport(target) }));
    expect(verdict.outcome).toBe('confirmed');
    expect(agent.connections().peak).toBeGreaterThanOrEqual(2);
    expect(agent.connections().peak).toBeLessThanOrEqual(3);
  });

  it('the Node transport (npm run push), sending chunks, keeps to maxConnections 3 with window 8', async () => {
    const agent = await agentWith(device);
    const verdict = await updateDevice(options(agent, testImage(2_000_000), { httpTransport: (target) => new NodeHttpTransport({ ...target, singleRequest: false }) }));
    expect(verdict.outcome).toBe('confirmed');
    expect(agent.connections().peak).toBeGreaterThanOrEqual(2);
    expect(agent.connections().peak).toBeLessThanOrEqual(3);
  });

  it('with maxConnections 1, chunks and control requests take turns on one connection', async () => {
    const agent = await agentWith({ ...device, maxConnections: 1 });
    const verdict = await updateDevice(options(agent, testImage(300_000), { httpTransport: (target) => new NodeHttpTransport({ ...target, singleRequest: false }) }));
    expect(verdict.outcome).toBe('confirmed');
    expect(agent.connections().peak).toBe(1);
  });
});

/** curl's -H arguments that authenticate a PUT to `url` in this session. */
async function curlAuth(session: Session, url: string): Promise<string[]> {
  const { pathname, search } = new URL(url);
  return Object.entries(await session.authHeaders('PUT', pathname + search)).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}

describe('HTTP that small devices do or lack', () => {
  async function offered(agent: RunningAgent, size: number) {
    const probe = new Probe(agent.url, PASSWORD);
    const session = await probe.login('curl');
    const image = testImage(size);
    const reply = await session.request('POST', 'updates', acceptableOffer(await probe.device(), { bytes: image.bytes, sha256: image.sha256 }));
    expect(reply.status).toBe(200);
    const file = join(deviceDir(), 'app.bin');
    writeFileSync(file, image.bytes);
    return { session, image, file, url: `${agent.url}/fieldflash/v1/updates/${image.sha256}?offset=0` };
  }

  it('curl uploads a 2 MiB image in one request, as in §4.6, and says Expect: 100-continue on the way', async () => {
    const agent = await agentWith({});
    const { session, image, file, url } = await offered(agent, 2 * 1024 * 1024 + 17);
    const { stdout, stderr } = await run('curl', ['-sS', '-v', '-X', 'PUT', '--data-binary', `@${file}`, ...(await curlAuth(session, url)), '-H', 'Content-Type: application/octet-stream', url]);
    expect(stderr).toMatch(/> Expect: 100-continue/);
    expect(stderr).toMatch(/< HTTP\/1\.1 100 Continue/);
    expect(JSON.parse(stdout)).toEqual({ offset: image.bytes.length, size: image.bytes.length });
    const commit = await session.request('POST', `updates/${image.sha256}/commit`, {});
    expect(commit.status).toBe(200);
  });

  it('a chunked request body is refused with 411, saying to send Content-Length', async () => {
    const agent = await agentWith({});
    const { session, file, url } = await offered(agent, 100_000);
    const { stdout } = await run('curl', ['-sS', '-X', 'PUT', '--data-binary', `@${file}`, '-H', 'Transfer-Encoding: chunked', ...(await curlAuth(session, url)), '-w', '\n%{http_code}', url]);
    const [body, status] = stdout.split('\n');
    expect(status).toBe('411');
    expect(JSON.parse(body!).error).toMatchObject({ code: 'bad-request', message: expect.stringContaining('Content-Length') });
  });
});
