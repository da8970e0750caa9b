// The LAN link between the page and a device as a TCP relay on 127.0.0.1 that the page-side campaign can cut: every
// open connection dropped at once, and new ones refused for a while, as when a Wi-Fi access point goes away. It
// counts the bytes the page sent through it, so a cut can be placed at a byte of the update, and it can hold what
// crosses it both ways, so the page learns nothing new while the campaign looks at it.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class CuttableLink {
  private readonly sockets = new Set<Socket>();
  private down = false;
  /** While held, bytes wait here in order, each with the socket it is for. */
  private held: Array<{ to: Socket; data: Buffer }> | undefined;
  private watcher: { atByte: number; fire: () => void } | undefined;
  /** Bytes the page sent through the link since it was made. */
  pageBytes = 0;
  url = '';

  private constructor(private readonly server: Server) {}

  static async start(targetPort: () => number): Promise<CuttableLink> {
    let link!: CuttableLink;
    const server = createServer((client) => {
      if (link.down) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort() });
      for (const s of [client, upstream]) {
        link.sockets.add(s);
        s.on('close', () => link.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (data: Buffer) => {
        link.pageBytes += data.length;
        const watcher = link.watcher;
        if (watcher && link.pageBytes >= watcher.atByte) {
          link.watcher = undefined;
          watcher.fire();
        }
        link.pass(upstream, data);
      });
      upstream.on('data', (data: Buffer) => link.pass(client, data));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    link = new CuttableLink(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    link.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return link;
  }

  /** Calls `fire` once the page has sent `atByte` bytes in all (counted from the link's start). */
  when(atByte: number, fire: () => void): void {
    this.watcher = { atByte, fire };
  }

  private pass(to: Socket, data: Buffer): void {
    if (this.held) this.held.push({ to, data });
    else if (!to.destroyed) to.write(data);
  }

  /** Holds every byte, both ways, from now until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  /** Passes what was held, to the connections still open, and everything from now on. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const { to, data } of held) if (!to.destroyed) to.write(data);
  }

  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.watcher = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
