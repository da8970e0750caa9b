// The Node HTTP transport against a real server on 127.0.0.1 that closes a kept-alive connection just as the next
// request arrives on it: the request the server never read goes again on a new connection, if it is idempotent.
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { NodeHttpTransport } from '../src/node/index.ts';
import { RequestSigner } from '../src/index.ts';

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/**
 * A minimal HTTP/1.1 server: every connection answers its first request with keep-alive and no hint of when it
 * will close, then drops the connection when a second request arrives on it, unread, as an idle-closing device does.
 */
async function racingDevice(): Promise<{ url: string; requests: string[]; connections: () => number }> {
  const requests: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let answered = false;
    socket.on('data', (data) => {
      if (answered) {
        socket.destroy();
        return;
      }
      answered = true;
      requests.push(data.toString('latin1').split('\r\n')[0]!);
      const body = '{"offset":4}';
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => (sockets.forEach((s) => s.destroy()), server.close()) });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, connections: () => sockets.length };
}

describe('NodeHttpTransport on a connection the device closed as idle', () => {
  test('a chunk (PUT) goes again on a new connection and is answered', async () => {
    const device = await racingDevice();
    const transport = new NodeHttpTransport({ url: device.url, clientId: 'test', signer: new RequestSigner('s', new Uint8Array(32)) });
    try {
      expect((await transport.request('GET', '/device')).status).toBe(200);
      const reply = await transport.sendChunk({ sha256: 'ab'.repeat(32), offset: 0, digest: 'sha-256=:x:', bytes: new Uint8Array(4) });
      expect(reply.status).toBe(200);
      expect(device.requests).toEqual(['GET /fieldflash/v1/device HTTP/1.1', `PUT /fieldflash/v1/updates/${'ab'.repeat(32)}?offset=0 HTTP/1.1`]);
      expect(device.connections()).toBe(2);
    } finally {
      transport.close();
    }
  });

  test('a POST is not sent twice: the broken link is reported', async () => {
    const device = await racingDevice();
    const transport = new NodeHttpTransport({ url: device.url, clientId: 'test', signer: new RequestSigner('s', new Uint8Array(32)) });
    try {
      expect((await transport.request('GET', '/device')).status).toBe(200);
      await expect(transport.request('POST', '/updates/x/commit', {})).rejects.toThrow(/did not answer/);
      expect(device.requests).toHaveLength(1);
    } finally {
      transport.close();
    }
  });
});
