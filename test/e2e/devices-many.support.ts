// What the many-devices tests need besides devices.support.ts: the demo release's slot images to compare with what
// the agents wrote, the field report as the page keeps it, the agent as a process of the demo product (for kill -9),
// a TCP relay whose link can be cut and restored, and selecting devices and running "Update selected".
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { type AgentProcess, spawnAgent } from '../integration/agent-support.ts';
import { expect } from 'vitest';
import { DEMO, storedPairedDevices } from './devices.support.ts';

/** The demo release's image for a device slot ("a" or "b": slot0 or slot1), as `npm run build` wrote the zip. */
export async function demoSlotImage(slot: 'a' | 'b'): Promise<Buffer> {
  const zip = await JSZip.loadAsync(readFileSync(new URL('../../public/demo/fieldflash-demo-1.0.0.zip', import.meta.url)));
  const file = zip.file(`ota/fieldflash-demo-slot${slot === 'a' ? 0 : 1}.bin`);
  if (!file) throw new Error('the demo release has no per-slot images');
  return Buffer.from(await file.async('uint8array'));
}

/** The bytes the agent keeps in a slot: after a confirmed update, the image it was sent. */
export function slotBytes(dir: string, slot: 'a' | 'b'): Buffer {
  return readFileSync(join(dir, 'slots', `${slot}.img`));
}

/** The agent program as a process, playing a demo-product device at 0.9.0; its log lines go to `log`. */
export async function spawnDemoAgent(dir: string, port: number, log: (line: string) => void, extra: readonly string[] = []): Promise<AgentProcess> {
  const agent = await spawnAgent(dir, port, ['--product', DEMO.product, '--board', DEMO.board, '--version', '0.9.0', ...extra]);
  let partial = '';
  agent.child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) log(line);
  });
  return agent;
}

/** The page's field report entries, read raw from IndexedDB. */
export function fieldReport(page: Page): Promise<Array<Record<string, unknown>>> {
  return page.evaluate(
    () =>
      new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('fieldReport').objectStore('fieldReport').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(all.result as Array<Record<string, unknown>>);
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

/**
 * A TCP relay on 127.0.0.1 in front of an agent, as a Wi-Fi link: `cut()` drops every connection and refuses new
 * ones, `restore()` listens again on the same port. It counts the client's bytes it passed since the last restore,
 * so a test can tell an upload resumed from one sent again.
 */
export class CuttableRelay {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  passed = 0;
  port = 0;

  private constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<CuttableRelay> {
    const relay = new CuttableRelay(targetPort);
    await relay.listen(0);
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (data: Buffer) => {
        this.passed += data.length;
        upstream.write(data);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  /** The link goes down: connections are reset and new ones refused, as with a device out of reach. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** The link is back, on the same address; the count starts again from zero. */
  async restore(): Promise<void> {
    this.passed = 0;
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }
}

/** Ticks the card checkboxes of `labels` (the devices' names), and no others. */
export async function selectDevices(page: Page, labels: readonly string[]): Promise<void> {
  for (const label of labels) await page.getByRole('checkbox', { name: `Select ${label}` }).check();
}

/** Clicks "Update selected" and returns what the view says it started and left out. */
export async function updateSelected(page: Page): Promise<string> {
  const bar = page.getByRole('region', { name: 'Update many devices' });
  await bar.getByRole('button', { name: 'Update selected' }).click();
  return (await bar.getByRole('status', { name: 'Update selected outcome' }).innerText()).replace(/\s+/g, ' ');
}

export function updatesSummary(page: Page): Promise<string> {
  return page.getByRole('region', { name: 'Update many devices' }).getByRole('status', { name: 'Updates summary' }).innerText();
}

/** Sets a device's speed limit on its card, so its update lasts long enough to be seen (and cut) mid-transfer. */
export async function limitSpeed(page: Page, label: string, kiBps: number): Promise<void> {
  const field = page.getByRole('article', { name: label }).getByLabel('Speed limit (KiB/s)');
  await field.fill(String(kiBps));
  await field.press('Enter');
  // An update reads the device's record when it starts: the limit must be kept before then.
  const host = label.slice(label.lastIndexOf(' at ') + 4);
  await expect.poll(async () => (await storedPairedDevices(page)).find((d) => new URL(d.url).host === host)?.throttleKiBps).toBe(kiBps);
}
