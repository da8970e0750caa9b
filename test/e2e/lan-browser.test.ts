// The protocol client in Debian Chromium, on a page served from another origin than the agent: real CORS
// preflights, the browser's fetch, and the browser's RTCPeerConnection against the agent's node-datachannel.
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
import type { PageUpdate } from './lan-page/lan-page.ts';

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

async function withAgent(run: (agent: RunningAgent, dir: string) => Promise<void>, extra: { version?: string } = {}) {
  const dir = deviceDir();
  const agent = await startAgent({ dir, password: PASSWORD, version: extra.version ?? '1.0.0', log: () => {} });
  try {
    await run(agent, dir);
  } finally {
    await agent.close();
  }
}

const update = (url: string, transport: 'http' | 'webrtc', size: number, version = '1.3.0', fetchInit?: Record<string, unknown>) =>
  page.evaluate(
    ([u, p, t, s, v, f]) => (window as unknown as { lanUpdate: (...a: unknown[]) => Promise<PageUpdate> }).lanUpdate(u, p, t, s, v, f),
    [url, PASSWORD, transport, size, version, fetchInit] as const,
  );

const slotSha256 = (dir: string, slot: string) => createHash('sha256').update(readFileSync(join(dir, 'slots', `${slot}.img`))).digest('hex');

describe('the protocol client in Chromium', () => {
  it('updates an agent on another origin over fetch, through CORS preflights, to confirmed', async () => {
    await withAgent(async (agent, dir) => {
      expect(new URL(agent.url).origin).not.toBe(new URL(page.url()).origin);
      const result = await update(agent.url, 'http', 1024 * 1024 + 5);
      expect(result).toMatchObject({ outcome: 'confirmed', slot: 'b' });
      expect(result.phases).toEqual(['reading', 'offering', 'authenticating', 'offering', 'sending', 'committing', 'rebooting', 'waiting', 'done']);
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
      const wrong = await update(agent.url, 'http', 4096, '1.3.0', { targetAddressSpace: 'local' });
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
