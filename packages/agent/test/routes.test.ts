// Routes over real HTTP (docs/protocol.md §1.2): optional paths exist only where the device offers them, a known
// path with another method is 405 with Allow before any token is looked at, and the timeouts test hook refuses
// values it cannot use and gives back what it replaced.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_BASE } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../src/index.ts';
import { Probe } from '../../conformance/src/probe.ts';

const PASSWORD = 'routes';
const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function probeOf(options: Partial<Parameters<typeof startAgent>[0]> = {}): Promise<Probe> {
  const started = await startAgent({ dir: mkdtempSync(join(tmpdir(), 'fieldflash-routes-')), password: PASSWORD, webrtc: false, log: () => {}, ...options });
  agents.push(started);
  return new Probe(started.url, PASSWORD);
}

const code = (body: unknown) => (body as { error: { code: string } }).error.code;

describe('agent routes', () => {
  it('has no WebRTC or test-hook paths unless it offers them: 404 before authentication', async () => {
    const probe = await probeOf();
    for (const path of ['webrtc/offer', 'test/power-cut', 'test/timeouts']) {
      const reply = await probe.raw('POST', `${API_BASE}/${path}`, { body: {} });
      expect(reply.status, path).toBe(404);
      expect(code(reply.body)).toBe('bad-request');
    }
  });

  it('answers a wrong method with 405 and Allow, signed or not', async () => {
    const probe = await probeOf({ testHooks: true });
    const session = await probe.login('routes-test');
    for (const signed of [undefined, session]) {
      const reply = await probe.raw('PATCH', `${API_BASE}/updates/${'ab'.repeat(32)}`, { ...(signed ? { session: signed } : {}), clientId: session.clientId });
      expect(reply.status).toBe(405);
      expect(reply.headers.get('allow')).toBe('GET, PUT, DELETE, OPTIONS');
    }
    expect((await session.request('GET', 'test/timeouts')).headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('the timeouts hook gives back the values it replaced and refuses ones it cannot use', async () => {
    const probe = await probeOf({ testHooks: true, idleTimeoutMs: 30_000, totalTimeoutMs: 900_000 });
    const session = await probe.login('routes-test');
    const first = await session.request('POST', 'test/timeouts', { holdIdleSeconds: 1 });
    expect(first.body).toEqual({ holdIdleSeconds: 30, holdTotalSeconds: 900 });
    const second = await session.request('POST', 'test/timeouts', { holdIdleSeconds: 30 });
    expect(second.body).toEqual({ holdIdleSeconds: 1, holdTotalSeconds: 900 });
    for (const bad of [0, -1, 'soon', 100_000]) {
      const reply = await session.request('POST', 'test/timeouts', { holdTotalSeconds: bad });
      expect(reply.status, String(bad)).toBe(400);
    }
  });
});
