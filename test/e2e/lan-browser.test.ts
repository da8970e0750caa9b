// The protocol client in Debian Chromium, on a page served from another origin than the agent: real CORS
// preflights, the browser's fetch and XMLHttpRequest, and the browser's RTCPeerConnection against the agent's
// node-datachannel.
// Success is the agent's verdict and the bytes in its slot.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { deviceDir, PASSWORD } from '../integration/agent-support.ts';
import { launchBrowser } from './browser.ts';
import type { PageUpdate, UpdateExtras } from './lan-page/lan-page.ts';

const OUT = '.tmp/lan-page';
let browser: Browser;
let page: Page;
let stopServer: () => Promise<void>;

beforeAll(async () => {
  await build({ configFile: false, root: 'test/e2e/lan-page', logLevel: 'warn', build: { outDir: `../../../${OUT}`, emptyOutDir: true, target: 'es2022' } });
  const server = await startStaticServer({ root: OUT, port: 0 });
  stopServer = () => server.close();
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('pageerror', (err) => console.error('[page error]', err.message));
  await page.goto(server.url);
  await page.waitForFunction(() => document.title === 'lan client ready');
});

afterAll(async () => {
  await browser?.close();
  await stopServer?.();
});

async function withAgent(run: (agent: RunningAgent, dir: string, lines: string[]) => Promise<void>, extra: { version?: string; singleRequest?: boolean } = {}) {
  const dir = deviceDir();
  const lines: string[] = [];
  const agent = await startAgent({ dir, password: PASSWORD, version: extra.version ?? '1.0.0', log: (line) => lines.push(line), singleRequest: extra.singleRequest ?? true });
  try {
    await run(agent, dir, lines);
  } finally {
    await agent.close();
  }
}

/** The image PUTs the page made, as Chromium's own network events list them, while `work` ran. */
async function imagePuts(work: () => Promise<unknown>): Promise<string[]> {
  const puts: string[] = [];
  const onRequest = (request: import('playwright-core').Request) => {
    if (request.method() === 'PUT' && request.url().includes('/fieldflash/v1/updates/')) puts.push(new URL(request.url()).search);
  };
  page.on('request', onRequest);
  try {
    await work();
  } finally {
    page.off('request', onRequest);
  }
  return puts;
}

/** Where each single request the device received started, from its log. */
const singleRequestsFrom = (lines: string[]) => lines.flatMap((line) => /: the rest of [0-9a-f]{12}… in one request, from (\d+)$/.exec(line)?.[1] ?? []).map(Number);

const update = (url: string, transport: 'http' | 'webrtc', size: number, version = '1.3.0', extras: UpdateExtras = {}) =>
  page.evaluate(
    ([u, p, t, s, v, e]) => (window as unknown as { lanUpdate: (...args: unknown[]) => Promise<PageUpdate> }).lanUpdate(u, p, t, s, v, e),
    [url, PASSWORD, transport, size, version, extras] as const,
  );

const slotSha256 = (dir: string, slot: string) => createHash('sha256').update(readFileSync(join(dir, 'slots', `${slot}.img`))).digest('hex');

describe('the protocol client in Chromium', () => {
  it('updates an agent on another origin through CORS preflights, the image in one request, to confirmed', async () => {
    await withAgent(async (agent, dir, lines) => {
      expect(new URL(agent.url).origin).not.toBe(new URL(page.url()).origin);
      let result!: PageUpdate;
      const puts = await imagePuts(async () => (result = await update(agent.url, 'http', 1024 * 1024 + 5)));
      expect(result).toMatchObject({ outcome: 'confirmed', slot: 'b' });
      expect(result.phases).toEqual(['reading', 'offering', 'authenticating', 'offering', 'sending', 'committing', 'rebooting', 'waiting', 'done']);
      // One PUT of the whole image (docs/protocol.md §4.6).
      expect(puts).toEqual(['?offset=0']);
      expect(singleRequestsFrom(lines)).toEqual([0]);
      expect(slotSha256(dir, 'b')).toBe(result.sha256);
    });
  });

  it('sends chunks to a device that refuses the single request, and gets it there', async () => {
    await withAgent(
      async (agent, dir, lines) => {
        const size = 1024 * 1024 + 5;
        let result!: PageUpdate;
        const puts = await imagePuts(async () => (result = await update(agent.url, 'http', size, '1.3.0', { attempts: 8 })));
        expect(result).toMatchObject({ outcome: 'confirmed', slot: 'b' });
        // The refused single request, then the image in chunks of the device's size.
        expect(puts[0]).toBe('?offset=0');
        expect(puts.length).toBeGreaterThanOrEqual(1 + Math.ceil(size / (240 * 1024)));
        expect(singleRequestsFrom(lines)).toEqual([]);
        expect(slotSha256(dir, 'b')).toBe(result.sha256);
      },
      { singleRequest: false },
    );
  });

  it('sends chunks read from a stored Blob under a speed limit, through full GCs in the middle of its reads', async () => {
    await withAgent(async (agent, dir, lines) => {
      // A GC forced again and again while chunks are read (a limit high enough not to slow them): a read whose stream
      // was collected would never settle, and the update would hang.
      const cdp = await page.context().newCDPSession(page);
      let collecting = true;
      let collections = 0;
      const gc = (async () => {
        while (collecting) {
          await cdp.send('HeapProfiler.collectGarbage');
          collections++;
        }
      })();
      let result: PageUpdate;
      try {
        result = await update(agent.url, 'http', 12 * 1024 * 1024 + 5, '1.3.0', { fromBlob: true, throttleKiBps: 1024 * 1024 });
      } finally {
        collecting = false;
        await gc;
        await cdp.detach();
      }
      expect(result).toMatchObject({ outcome: 'confirmed', slot: 'b' });
      expect(collections).toBeGreaterThan(3);
      expect(singleRequestsFrom(lines)).toEqual([]);
      expect(slotSha256(dir, 'b')).toBe(result.sha256);
    });
  });

  it("updates over the browser's own WebRTC data channel, with fingerprints bound to the session", async () => {
    await withAgent(async (agent, dir) => {
      const result = await update(agent.url, 'webrtc', 1024 * 1024);
      expect(result).toMatchObject({ outcome: 'confirmed', slot: 'b' });
      expect(result.phases).toContain('connecting');
      expect(slotSha256(dir, 'b')).toBe(result.sha256);
    });
  });

  it('declares the agent loopback for Local Network Access; Chromium refuses a request declared otherwise', async () => {
    await withAgent(async (agent) => {
      const wrong = await update(agent.url, 'http', 4096, '1.3.0', { fetchInit: { targetAddressSpace: 'local' } });
      expect(wrong.failure).toMatch(/did not answer/);
      expect(wrong.phases).toEqual(['reading', 'retrying', 'reading']);
    });
  });

  it("reads the device's refusal across origins, sentence and all", async () => {
    await withAgent(
      async (agent) => {
        const result = await update(agent.url, 'http', 4096, '1.3.0');
        expect(result.refusal).toEqual({ code: 'downgrade', message: 'The device runs 2.0.0; 1.3.0 is older. Send with force to downgrade.' });
      },
      { version: '2.0.0' },
    );
  });
});
