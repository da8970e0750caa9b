// What the Devices end-to-end tests do as a technician would (add, check, update, forget) and what they check
// underneath: the agent's own device document, and the records the page keeps in IndexedDB.
import type { Locator, Page } from 'playwright-core';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import type { DeviceDocument } from '../../packages/protocol/src/index.ts';
import { deviceDir, PASSWORD } from '../integration/agent-support.ts';

export { PASSWORD };

/** The demo release's product and board (scripts/make-demo-release.ts), so the demo release fits. */
export const DEMO = { product: 'FieldFlash Demo', board: 'esp32-devkitc' };

export interface TestAgent {
  agent: RunningAgent;
  dir: string;
  /** "FieldFlash Demo at 127.0.0.1:PORT": the name of the device's card. */
  label: string;
}

/** A reference agent on 127.0.0.1 playing a device of the demo product at 0.9.0, unless told otherwise. */
export async function startTestAgent(options: Partial<Parameters<typeof startAgent>[0]> = {}): Promise<TestAgent> {
  const dir = options.dir ?? deviceDir();
  const agent = await startAgent({ dir, password: PASSWORD, ...DEMO, version: '0.9.0', webrtc: false, log: () => {}, ...options });
  return { agent, dir, label: `${options.product ?? DEMO.product} at ${new URL(agent.url).host}` };
}

/** The agent's own account of itself, read over HTTP as any client would. */
export async function deviceDocument(url: string): Promise<DeviceDocument> {
  const reply = await fetch(new URL('/fieldflash/v1/device', url));
  return (await reply.json()) as DeviceDocument;
}

export async function openDevicesView(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('heading', { name: 'Devices', level: 2 }).waitFor();
}

export function deviceCard(page: Page, label: string): Locator {
  return page.getByRole('article', { name: label });
}

/** The outcome of adding a device: the status line once added, or the alert's text. */
export async function addOutcome(page: Page): Promise<{ added: boolean; text: string }> {
  const added = page.getByRole('status', { name: 'Adding a device' }).getByText(/^Added /);
  const failed = page.getByRole('region', { name: 'Add a device' }).getByRole('alert');
  await added.or(failed).first().waitFor({ timeout: 30_000 });
  if (await added.count()) return { added: true, text: await added.innerText() };
  return { added: false, text: (await failed.innerText()).replace(/\s+/g, ' ') };
}

export async function addByAddress(page: Page, address: string, secret: string): Promise<{ added: boolean; text: string }> {
  const form = page.getByRole('form', { name: 'Add by address' });
  await form.getByLabel('Device address').fill(address);
  await form.getByLabel('Pairing secret').fill(secret);
  await form.getByRole('button', { name: 'Add device' }).click();
  return addOutcome(page);
}

export async function addByLink(page: Page, link: string): Promise<{ added: boolean; text: string }> {
  const form = page.getByRole('form', { name: 'Add by pairing link' });
  await form.getByLabel('Pairing link').fill(link);
  await form.getByRole('button', { name: 'Add from link' }).click();
  return addOutcome(page);
}

/** Waits for the end of the device's update and returns the result's text. */
export async function updateResult(card: Locator): Promise<string> {
  const result = card.getByRole('status', { name: 'Update result' });
  await result.waitFor({ timeout: 60_000 });
  return (await result.innerText()).replace(/\s+/g, ' ');
}

export interface StoredPairedDevice {
  id: string;
  url: string;
  /** Every string in the record, and every byte array or buffer in it as hex and as base64. */
  texts: string[];
  key: { isCryptoKey: boolean; extractable: boolean; algorithm: string; usages: string[]; exportRefused: boolean };
  salt: string;
  iterations: number;
  transport?: string;
  throttleKiBps?: number;
}

/** The paired devices as the page's IndexedDB holds them, read back raw (not through FieldFlash's own code). */
export function storedPairedDevices(page: Page): Promise<StoredPairedDevice[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('fieldflash');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result);
    });
    const records = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
      const all = db.transaction('pairedDevices').objectStore('pairedDevices').getAll();
      all.onsuccess = () => resolve(all.result as Record<string, unknown>[]);
      all.onerror = () => reject(all.error);
    });
    db.close();
    const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    const texts = (value: unknown, out: string[]): string[] => {
      if (typeof value === 'string') out.push(value);
      else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        out.push(hex(bytes), base64(bytes));
      } else if (value && typeof value === 'object' && !(value instanceof CryptoKey)) for (const v of Object.values(value)) texts(v, out);
      return out;
    };
    return Promise.all(
      records.map(async (record) => {
        const kept = record.pairingKey as { key: CryptoKey; salt: string; iterations: number };
        const key = kept.key;
        const exportRefused = await crypto.subtle.exportKey('raw', key).then(
          () => false,
          () => true,
        );
        return {
          id: record.id as string,
          url: record.url as string,
          texts: texts(record, []),
          key: { isCryptoKey: key instanceof CryptoKey, extractable: key.extractable, algorithm: key.algorithm.name, usages: [...key.usages], exportRefused },
          salt: kept.salt,
          iterations: kept.iterations,
          ...(typeof record.transport === 'string' ? { transport: record.transport } : {}),
          ...(typeof record.throttleKiBps === 'number' ? { throttleKiBps: record.throttleKiBps } : {}),
        };
      }),
    );
  });
}

/** Starts each test from no paired devices, in a freshly loaded page (nothing left in memory either). */
export async function forgetAllDevices(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fieldflash');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['pairedDevices', 'devices'], 'readwrite');
          tx.objectStore('pairedDevices').clear();
          tx.objectStore('devices').clear();
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await page.reload();
}

/**
 * A TCP relay to an agent on 127.0.0.1 that can stop passing the client's bytes after a budget, so an update stalls
 * at a point the test chooses, with the device holding part of the image; `open()` lets everything through again.
 * It counts the client's bytes it passed, so a test can tell a resumed upload from one sent again from the start.
 */
export class StallingRelay {
  private readonly sockets = new Set<import('node:net').Socket>();
  private budget = Number.POSITIVE_INFINITY;
  /** Each passes its held bytes if the connection is still open, and says how many it passed. */
  private readonly held: Array<() => number> = [];
  passed = 0;
  url = '';

  private constructor(private readonly server: import('node:net').Server) {}

  static async start(targetPort: number): Promise<StallingRelay> {
    const { createConnection, createServer } = await import('node:net');
    let relay!: StallingRelay;
    const server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const s of [client, upstream]) {
        relay.sockets.add(s);
        s.on('close', () => relay.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (data: Buffer) => {
        const pass = Math.max(0, Math.min(data.length, relay.budget - relay.passed));
        if (pass > 0) upstream.write(data.subarray(0, pass));
        relay.passed += pass;
        // What is over budget waits, in order, until open(); a closed client's bytes are dropped with its connection.
        if (pass < data.length) {
          relay.held.push(() => {
            if (!upstream.writable || client.destroyed) return 0;
            upstream.write(data.subarray(pass));
            return data.length - pass;
          });
        }
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    relay = new StallingRelay(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return relay;
  }

  /** Passes `bytes` more of the client's bytes, then holds the rest. */
  stallAfter(bytes: number): void {
    this.budget = this.passed + bytes;
  }

  /** Passes what is held (of connections still open) and everything from now on, counting from zero. */
  open(): void {
    this.budget = Number.POSITIVE_INFINITY;
    this.passed = 0;
    for (const pass of this.held.splice(0)) this.passed += pass();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
