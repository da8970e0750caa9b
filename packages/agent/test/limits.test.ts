// Limits over real HTTP: a stuck or slow client loses its hold on the device but not its partial upload, bodies
// above their limit are refused before they are read, and a body that stops arriving is answered 408.
import { connect } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentDigest, parseUpdateSession } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../src/index.ts';
import { Probe, makeImage, acceptableOffer } from '../../conformance/src/probe.ts';
import { idleConnections } from '../../conformance/src/raw-http.ts';

const PASSWORD = 'limits';
const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function agent(options: Partial<Parameters<typeof startAgent>[0]> = {}): Promise<{ agent: RunningAgent; probe: Probe }> {
  const started = await startAgent({ dir: mkdtempSync(join(tmpdir(), 'fieldflash-limits-')), password: PASSWORD, webrtc: false, log: () => {}, ...options });
  agents.push(started);
  return { agent: started, probe: new Probe(started.url, PASSWORD) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('agent limits', () => {
  it('an idle session loses its hold after the idle timeout; its partial upload stays for whoever resumes', async () => {
    const { probe } = await agent({ idleTimeoutMs: 400 });
    const doc = await probe.device();
    const stuck = await probe.login('stuck-client');
    const other = await probe.login('other-client');
    const image = makeImage(200_000);
    expect((await stuck.request('POST', 'updates', acceptableOffer(doc, image))).status).toBe(200);
    expect((await stuck.chunk(image.sha256, 0, image.bytes.subarray(0, 65_536))).status).toBe(200);
    expect((await other.request('POST', 'updates', acceptableOffer(doc, image))).status).toBe(409);
    await sleep(500);
    const resumed = await other.request('POST', 'updates', acceptableOffer(doc, image));
    expect(resumed.status).toBe(200);
    expect(parseUpdateSession(resumed.body).offset).toBe(65_536);
  });

  it('a busy session loses its hold after the total timeout', async () => {
    const { probe } = await agent({ totalTimeoutMs: 600 });
    const doc = await probe.device();
    const hog = await probe.login('hog');
    const other = await probe.login('other');
    const image = makeImage(2_000_000);
    await hog.request('POST', 'updates', acceptableOffer(doc, image));
    let offset = 0;
    const started = Date.now();
    while (Date.now() - started < 700) {
      await hog.chunk(image.sha256, offset, image.bytes.subarray(offset, offset + 4096));
      offset += 4096;
      await sleep(50);
    }
    const late = await hog.chunk(image.sha256, offset, image.bytes.subarray(offset, offset + 4096));
    expect(late.status).toBe(408);
    expect((late.body as { error: { code: string } }).error.code).toBe('timeout');
    expect((await other.request('POST', 'updates', acceptableOffer(doc, makeImage(1000)))).status).toBe(200);
  });

  it('refuses a chunk above chunkSize, a JSON body above 64 KiB and an offer above 192 KiB before reading them', async () => {
    const { probe } = await agent({ chunkSize: 4096 });
    const doc = await probe.device();
    const session = await probe.login('big');
    const image = makeImage(100_000);
    await session.request('POST', 'updates', acceptableOffer(doc, image));
    const chunk = image.bytes.subarray(0, 8192);
    const big = await probe.raw('PUT', `/fieldflash/v1/updates/${image.sha256}?offset=0`, { session, bytes: chunk, headers: { 'Content-Digest': await contentDigest(chunk) } });
    expect(big.status).toBe(413);
    expect((big.body as { error: { code: string } }).error.code).toBe('too-large');
    const json = await probe.raw('POST', '/fieldflash/v1/reboot', { session, body: { padding: 'x'.repeat(70_000) } });
    expect(json.status).toBe(413);
    // An offer may carry a signed manifest (docs/protocol.md §4.9, §10): read, and refused for what it says.
    const offer = await probe.raw('POST', '/fieldflash/v1/updates', { session, body: { padding: 'x'.repeat(70_000) } });
    expect([offer.status, (offer.body as { error: { code: string } }).error.code]).toEqual([400, 'bad-request']);
    const huge = await probe.raw('POST', '/fieldflash/v1/updates', { session, body: { padding: 'x'.repeat(200_000) } });
    expect(huge.status).toBe(413);
  });

  it('answers 408 timeout and closes when a body stops arriving', async () => {
    const { agent: running } = await agent({ idleTimeoutMs: 300 });
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(running.port, '127.0.0.1', () => {
        socket.write('POST /fieldflash/v1/auth/challenge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"clie');
      });
      let text = '';
      socket.on('data', (data) => (text += data.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toContain('"code":"timeout"');
  });

  it('answers 408 timeout and closes when a JSON body trickles in slower than its deadline', async () => {
    const { agent: running } = await agent({ jsonDeadlineMs: 400 });
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(running.port, '127.0.0.1', () => {
        socket.write('POST /fieldflash/v1/auth/challenge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
      });
      // One byte every 100 ms: never idle long enough for the idle timeout, always too slow for the deadline.
      const trickle = setInterval(() => socket.write(' '), 100);
      socket.on('error', () => undefined);
      let text = '';
      socket.on('data', (data) => (text += data.toString()));
      socket.on('close', () => {
        clearInterval(trickle);
        resolve(text);
      });
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toContain('"code":"timeout"');
  });

  it('refuses 250 unauthenticated chunk PUTs from their heads alone: no body is awaited or read', async () => {
    const { agent: running } = await agent();
    const heads = Array.from({ length: 250 }, () =>
      new Promise<string>((resolve) => {
        const socket = connect(running.port, '127.0.0.1', () => {
          // A whole chunk announced, not one byte of it sent.
          socket.write(`PUT /fieldflash/v1/updates/${'a'.repeat(64)}?offset=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Digest: sha-256=:${'A'.repeat(43)}=:\r\nContent-Length: 245760\r\n\r\n`);
        });
        let text = '';
        socket.on('data', (data) => (text += data.toString()));
        socket.on('close', () => resolve(text));
      }),
    );
    const replies = await Promise.all(heads);
    expect(replies.filter((reply) => /^HTTP\/1\.1 401 /.test(reply) && reply.includes('"code":"unauthenticated"'))).toHaveLength(250);
  });

  it('300 idle connections do not lock the owner out: the longest-idle ones are closed to make room', async () => {
    const { agent: running, probe } = await agent({ maxConnections: 32 });
    const sockets = await idleConnections(running.url, 300);
    const closed = sockets.map((socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))));
    try {
      const owner = await probe.login('owner');
      expect((await owner.request('GET', 'device')).status).toBe(200);
      // Every idle connection beyond the cap was closed by the device (the owner's own took a place too).
      await Promise.all(closed.slice(0, 300 - 32 + 1));
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  it('answers Expect: 100-continue only after authentication: a stranger is refused before sending a byte', async () => {
    const { agent: running, probe } = await agent();
    const doc = await probe.device();
    const session = await probe.login('curl-like');
    const image = makeImage(10_000);
    await session.request('POST', 'updates', acceptableOffer(doc, image));
    const exchange = (auth: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(running.port, '127.0.0.1', () => {
          socket.write(`PUT /fieldflash/v1/updates/${image.sha256}?offset=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/octet-stream\r\nContent-Length: ${image.bytes.length}\r\nExpect: 100-continue\r\n\r\n`);
        });
        let text = '';
        let sent = false;
        socket.on('data', (data) => {
          text += data.toString();
          // Send the body only when asked, as curl does.
          if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !sent) {
            sent = true;
            socket.write(image.bytes);
          }
          if (/\r\n\r\n\{.*\}$/s.test(text)) socket.destroy();
        });
        socket.on('close', () => resolve(text));
      });
    const stranger = await exchange('');
    expect(stranger).toMatch(/^HTTP\/1\.1 401 /);
    const target = `/fieldflash/v1/updates/${image.sha256}?offset=0`;
    const owner = await exchange(`Authorization: ${await session.signer.authorization('PUT', target, '')}\r\nFieldFlash-Client: curl-like\r\n`);
    expect(owner).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(owner).toContain(`"offset":${image.bytes.length}`);
  });
});
