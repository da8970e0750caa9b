// Open connections are capped, so a stranger's idle connections cannot use up the device's sockets (or file
// descriptors) and lock the owner out. At the cap, a new connection evicts the connection idle the longest (one
// with no request in progress, including one that has not finished sending its request head); when every
// connection is busy the new one is refused with 503 too-many-connections.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { AgentRefusal } from './errors.ts';

interface Use {
  requests: number;
  idleSince: number;
}

export function capConnections(server: Server, max: number, now: () => number = Date.now): void {
  const open = new Map<Socket, Use>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= max) {
      let oldest: [Socket, Use] | undefined;
      for (const entry of open) if (entry[1].requests === 0 && (!oldest || entry[1].idleSince < oldest[1].idleSince)) oldest = entry;
      if (oldest) {
        open.delete(oldest[0]);
        oldest[0].destroy();
      } else {
        const body = JSON.stringify(new AgentRefusal('too-many-connections', `The device allows ${max} connections and every one is busy. Try again in a moment.`).body);
        // Read nothing more from it: the reply below is all this connection gets.
        socket.pause();
        socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${body}`, () => socket.destroy());
        return;
      }
    }
    open.set(socket, { requests: 0, idleSince: now() });
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req, res) => {
    const use = open.get(req.socket);
    if (!use) return;
    use.requests += 1;
    res.once('close', () => {
      use.requests -= 1;
      use.idleSince = now();
    });
  });
}
