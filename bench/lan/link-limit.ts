// A device's own link, for the benchmark: a TCP proxy on 127.0.0.1 in front of one agent, run in the agent's process,
// that carries at most `kibPerSecond` through all its connections together, both ways, as one device's Wi-Fi would.
// The client sees a slow device, not a throttle of its own: it sends as fast as the link takes the bytes.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** The link's schedule: bytes cross it one after another at its rate, whichever connection they belong to. */
class SharedLink {
  private nextFree = 0;
  private readonly bytesPerMs: number;

  constructor(kibPerSecond: number) {
    this.bytesPerMs = (kibPerSecond * 1024) / 1000;
  }

  /** Milliseconds from now until `bytes` read now have crossed the link, after the bytes before them. */
  crossing(bytes: number): number {
    const now = performance.now();
    this.nextFree = Math.max(now, this.nextFree) + bytes / this.bytesPerMs;
    return this.nextFree - now;
  }
}

/** Forwards what `from` sends to `to`, each read once the link has carried it; reading pauses meanwhile. */
function carry(from: Socket, to: Socket, link: SharedLink): void {
  let crossing = false;
  let ended = false;
  from.on('data', (data: Buffer) => {
    from.pause();
    crossing = true;
    setTimeout(() => {
      crossing = false;
      if (to.destroyed) return;
      const resume = () => (ended ? to.end() : from.resume());
      if (to.write(data)) resume();
      else to.once('drain', resume);
    }, link.crossing(data.length));
  });
  from.on('end', () => {
    ended = true;
    if (!crossing) to.end();
  });
  from.on('error', () => to.destroy());
}

export interface LinkLimit {
  url: string;
  close(): Promise<void>;
}

export async function startLinkLimit(agentUrl: string, kibPerSecond: number): Promise<LinkLimit> {
  const target = new URL(agentUrl);
  const link = new SharedLink(kibPerSecond);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const device = connect(Number(target.port), target.hostname);
    for (const s of [client, device]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    carry(client, device, link);
    carry(device, client, link);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
