// A real TCP relay to an agent on 127.0.0.1 that breaks one request in the middle, at a byte of its body the test
// chooses: it finds the first request whose head starts with the given text, passes that many bytes of its body and
// holds back the rest; cut() then resets every connection, as a link that drops does. Everything else passes.
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const HEAD_END = '\r\n\r\n';

export class MidRequestCut {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private armed = true;
  private onReached!: () => void;
  /** Resolves once the request was found and `bodyBytes` of its body passed. */
  readonly reached = new Promise<void>((resolve) => (this.onReached = resolve));
  url = '';

  private constructor(targetPort: number, head: string, bodyBytes: number) {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      // What this connection sent while the request's head and body start are looked for (latin1: one char a byte).
      let seen = '';
      /** Bytes of the broken request's body still to pass on this connection, once it was found. */
      let budget: number | undefined;
      client.on('data', (data: Buffer) => {
        if (budget !== undefined) {
          const pass = data.subarray(0, budget);
          budget -= pass.length;
          upstream.write(pass);
          if (budget === 0 && pass.length > 0) this.onReached();
          return;
        }
        if (!this.armed) return void upstream.write(data);
        const before = seen.length;
        seen += data.toString('latin1');
        const at = seen.indexOf(head);
        const bodyAt = at < 0 ? -1 : seen.indexOf(HEAD_END, at);
        if (bodyAt < 0) {
          upstream.write(data);
          seen = seen.slice(-64 * 1024);
          return;
        }
        this.armed = false;
        // The head, and as much of the body as this piece holds up to `bodyBytes`; then the rest of the budget.
        const bodyStart = bodyAt + HEAD_END.length - before;
        const pass = Math.min(data.length, bodyStart + bodyBytes);
        upstream.write(data.subarray(0, pass));
        budget = bodyBytes - (pass - bodyStart);
        if (budget === 0) this.onReached();
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  /** A relay to `targetPort` that breaks the first request whose head starts with `head` after `bodyBytes` of its body. */
  static async start(targetPort: number, head: string, bodyBytes: number): Promise<MidRequestCut> {
    const relay = new MidRequestCut(targetPort, head, bodyBytes);
    relay.server.listen(0, '127.0.0.1');
    await once(relay.server, 'listening');
    relay.url = `http://127.0.0.1:${(relay.server.address() as { port: number }).port}`;
    return relay;
  }

  /** Resets every open connection; new ones pass everything. */
  cut(): void {
    for (const s of this.sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Waits until the agent in `dir` has written `bytes` of its partial upload of `sha256` (its .part file). */
export async function partialHolds(dir: string, sha256: string, bytes: number, timeoutMs = 10_000): Promise<void> {
  const part = `${dir}/uploads/${sha256}.part`;
  const until = performance.now() + timeoutMs;
  while (!(existsSync(part) && statSync(part).size >= bytes)) {
    if (performance.now() > until) throw new Error(`the device wrote ${existsSync(part) ? statSync(part).size : 0} of the ${bytes} bytes passed to it`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
