// The board's network stack, stood in for by Node: a TCP listener on 127.0.0.1 whose connections are carried to the
// board's socket loop (py/bridge_loop.py), bytes in and bytes out, and nothing more: HTTP is the agent's own.
// While the board resets, the listener is closed and open connections drop, as when a board leaves the network.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Board } from './board.ts';

export class Bridge {
  private server: Server | null = null;
  private readonly sockets = new Map<number, Socket>();
  private next = 0;
  port = 0;

  constructor(
    private readonly board: Board,
    private readonly host: string,
  ) {
    board.on.send = (conn, bytes) => {
      const socket = this.sockets.get(conn);
      if (socket && !socket.destroyed) socket.write(bytes);
    };
    board.on.close = (conn) => {
      const socket = this.sockets.get(conn);
      this.sockets.delete(conn);
      socket?.end(() => socket.destroy());
    };
  }

  async listen(port: number): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  private accept(socket: Socket): void {
    if (!this.board.powered) {
      socket.destroy();
      return;
    }
    // The agent writes a reply's head and body separately; with Nagle's algorithm the body would wait for the
    // client's delayed ACK of the head (40 ms on Linux), a stall no board's asyncio stream (which sends both at once) has.
    socket.setNoDelay(true);
    const conn = ++this.next;
    this.sockets.set(conn, socket);
    const address = socket.remoteAddress ?? 'unknown';
    this.board.post({ type: 'accept', conn, peer: address.startsWith('::ffff:') ? address.slice(7) : address });
    Atomics.store(this.board.arrivals, conn % 4096, 0);
    socket.on('data', (bytes: Buffer) => {
      Atomics.add(this.board.arrivals, conn % 4096, bytes.length);
      this.board.post({ type: 'data', conn, bytes });
    });
    socket.on('end', () => this.board.post({ type: 'end', conn }));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(conn);
      this.board.post({ type: 'end', conn });
    });
  }

  /** The board left the network: no listener, no connections. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
