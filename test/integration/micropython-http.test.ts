// Read deadlines of the MicroPython agent's HTTP connections (docs/protocol.md §10), kept by one watchdog for every
// connection rather than a timer per read: a body that stops arriving is answered 408 and its connection closed, and
// a kept-alive connection left idle is closed; the agent in the MicroPython interpreter behind the bridge, raw
// sockets on 127.0.0.1.
import { once } from 'node:events';
import { connect, createConnection, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicroPythonAgent, type RunningMicroPythonAgent } from '../../agents/micropython/bridge/agent.ts';
import { acceptableOffer, expectOk, makeImage, Probe } from '../../packages/conformance/src/probe.ts';
import { API_BASE } from '../../packages/protocol/src/index.ts';
import { deviceDir, PASSWORD } from './agent-support.ts';

let agent: RunningMicroPythonAgent;
beforeAll(async () => {
  agent = await startMicroPythonAgent({ dir: deviceDir(), settings: { hold_idle_s: 1 }, secret: PASSWORD, log: () => {} });
}, 30_000);
afterAll(() => agent?.close());

/** What the agent sends on `socket` until it closes it, and how long after `since` it closed. */
function untilClosed(socket: Socket, since: number): Promise<{ text: string; afterMs: number }> {
  let text = '';
  socket.on('data', (bytes: Buffer) => (text += bytes.toString()));
  return new Promise((resolve) => socket.on('close', () => resolve({ text, afterMs: Date.now() - since })));
}

describe('read deadlines on the MicroPython agent', () => {
  it('answers a body that stops arriving with 408 timeout after the idle time, and closes the connection', async () => {
    const probe = new Probe(agent.url, PASSWORD);
    try {
      const doc = await probe.device();
      const session = await probe.login('slow-body');
      const image = makeImage(8192);
      expectOk(await session.request('POST', 'updates', acceptableOffer(doc, image)), 'the offer');
      const target = `${API_BASE}/updates/${image.sha256}?offset=0`;
      const headers = await session.authHeaders('PUT', target, image.bytes);
      const { port } = new URL(agent.url);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const head = [`PUT ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Content-Length: ${image.bytes.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      socket.write(image.bytes.subarray(0, 1000));
      const sent = Date.now();
      const { text, afterMs } = await untilClosed(socket, sent);
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(text).toContain('"code": "timeout"');
      // hold_idle_s is 1: not before that, and not left hanging (the watchdog looks every 250 ms).
      expect(afterMs).toBeGreaterThanOrEqual(900);
      expect(afterMs).toBeLessThan(10_000);
    } finally {
      probe.close();
    }
  });

  it('closes a kept-alive connection left idle after its request', async () => {
    const { port } = new URL(agent.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET ${API_BASE}/device HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const { text, afterMs } = await untilClosed(socket, Date.now());
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(afterMs).toBeGreaterThanOrEqual(4900);
    expect(afterMs).toBeLessThan(15_000);
  }, 30_000);

  it('answers each kept-alive request with the whole reply in the first read, head and body', async () => {
    // Written apart, the body of every reply waited for the client's delayed ACK of the head wherever Nagle's algorithm
    // is on: at least 40 ms on Linux, where the agent needs a few. Here, what the first read of a raw socket holds.
    const { port } = new URL(agent.url);
    const socket = createConnection({ host: '127.0.0.1', port: Number(port) });
    try {
      await once(socket, 'connect');
      for (let i = 0; i < 3; i++) {
        socket.write(`GET /fieldflash/v1/device HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
        const [first] = (await once(socket, 'data')) as [Buffer];
        const text = first.toString('latin1');
        const length = Number(/\r\ncontent-length: (\d+)\r\n/i.exec(text)?.[1]);
        const body = text.slice(text.indexOf('\r\n\r\n') + 4);
        expect(text).toMatch(/^HTTP\/1\.1 200 /);
        expect(Buffer.byteLength(body, 'latin1')).toBe(length);
        expect(JSON.parse(body)).toMatchObject({ protocol: { versions: [1] } });
      }
    } finally {
      socket.destroy();
    }
  });
});
