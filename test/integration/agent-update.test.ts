// The update client from packages/protocol against the reference agent, over real HTTP and real WebRTC on
// 127.0.0.1: the image lands in the inactive slot, boots, passes or fails its health check, and the disk says so.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceRefusal, DeviceUpdate } from '@fieldflash/protocol';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { acceptableOffer, makeImage, Probe } from '../../packages/conformance/src/probe.ts';
import { deviceDir, diskState, PASSWORD, release, testImage } from './agent-support.ts';

const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function agent(options: Parameters<typeof startAgent>[0]): Promise<RunningAgent> {
  const started = await startAgent({ log: () => {}, ...options });
  agents.push(started);
  return started;
}

describe('agent and update client', () => {
  it('updates over HTTP to a confirmed image in slot b, checked by the health check', async () => {
    const dir = deviceDir();
    const device = await agent({ dir, password: PASSWORD, version: '1.0.0', healthCheck: 'test "$FIELDFLASH_SLOT" = b && test -s "$FIELDFLASH_IMAGE" && test "$FIELDFLASH_VERSION" = 1.1.0' });
    const image = testImage(700_000);
    const verdict = await new DeviceUpdate({ url: device.url, password: PASSWORD, clientId: 'test-http', release: release('1.1.0'), image: image.source }).run();
    expect(verdict.outcome).toBe('confirmed');
    expect(verdict.device.version).toBe('1.1.0');
    const { journal, slotsMatch } = diskState(dir);
    expect(slotsMatch).toBe(true);
    expect(journal.active).toBe('b');
    expect(journal.slots.b).toMatchObject({ state: 'active', sha256: image.sha256, version: '1.1.0' });
    expect(journal.slots.a.state).toBe('confirmed');
    expect(new Uint8Array(readFileSync(join(dir, 'slots', 'b.img')))).toEqual(image.bytes);
  });

  it('updates over a WebRTC data channel the same way', async () => {
    const dir = deviceDir();
    const device = await agent({ dir, password: PASSWORD });
    const image = testImage(500_000);
    const verdict = await new DeviceUpdate({
      url: device.url,
      password: PASSWORD,
      clientId: 'test-webrtc',
      release: release('1.2.0'),
      image: image.source,
      transport: 'webrtc',
      newPeerConnection: () => new RTCPeerConnection({ iceServers: [] }) as never,
    }).run();
    expect(verdict.outcome).toBe('confirmed');
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'active', sha256: image.sha256 });
  });

  it('rolls back an image whose health check fails, and says why', async () => {
    const dir = deviceDir();
    const device = await agent({ dir, password: PASSWORD, version: '1.0.0', healthCheck: 'echo "sensor bus not found" >&2; exit 3' });
    const image = testImage(200_000);
    const verdict = await new DeviceUpdate({ url: device.url, password: PASSWORD, clientId: 'test-rollback', release: release('1.1.0'), image: image.source }).run();
    expect(verdict.outcome).toBe('rolled-back');
    expect(verdict.reason).toBe('health check exited with 3: sensor bus not found');
    expect(verdict.device.version).toBe('1.0.0');
    const { journal, slotsMatch } = diskState(dir);
    expect(slotsMatch).toBe(true);
    expect(journal.active).toBe('a');
    expect(journal.slots.b.state).toBe('empty');
  });

  it('hands the verified image to the install hook, and a failing hook refuses the commit and leaves the slot alone', async () => {
    const dir = deviceDir();
    const received = join(dir, 'installed.bin');
    // A Linux device would run dpkg -i "$FIELDFLASH_IMAGE" here; the hook keeps a copy, and refuses version 1.2.0.
    const hook = `cp "$FIELDFLASH_IMAGE" "${received}" && test "$FIELDFLASH_VERSION" != 1.2.0 || { echo "dpkg: dependency problems" >&2; exit 1; }`;
    const device = await agent({ dir, password: PASSWORD, installHook: hook });
    const good = testImage(150_000);
    const verdict = await new DeviceUpdate({ url: device.url, password: PASSWORD, clientId: 'test-hook', release: release('1.1.0'), image: good.source }).run();
    expect(verdict.outcome).toBe('confirmed');
    expect(new Uint8Array(readFileSync(received))).toEqual(good.bytes);

    const bad = testImage(120_000);
    const refused = new DeviceUpdate({ url: device.url, password: PASSWORD, clientId: 'test-hook', release: release('1.2.0', { sequence: 3 }), image: bad.source }).run();
    await expect(refused).rejects.toThrow(DeviceRefusal);
    await expect(refused).rejects.toMatchObject({ code: 'install-failed', message: expect.stringContaining('dpkg: dependency problems') });
    const { journal, slotsMatch } = diskState(dir);
    expect(slotsMatch).toBe(true);
    expect(journal.slots.b).toMatchObject({ state: 'active', sha256: good.sha256 });
    expect(journal.slots.a.state).toBe('confirmed');
    expect(existsSync(join(dir, 'uploads', `${bad.sha256}.part`))).toBe(false);
  });

  it('refuses to change slots while a new image is booting and its health check runs (busy), then confirms it', async () => {
    const dir = deviceDir();
    const device = await agent({ dir, password: PASSWORD, healthCheck: 'sleep 1' });
    const probe = new Probe(device.url, PASSWORD);
    const session = await probe.login('booting');
    const image = makeImage(100_000);
    const doc = await probe.device();
    await session.request('POST', 'updates', acceptableOffer(doc, image));
    await session.sendFrom(image, 0, doc.chunk.size);
    expect((await session.request('POST', `updates/${image.sha256}/commit`, {})).status).toBe(200);
    expect((await session.request('POST', 'reboot', {})).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 600)); // back on the network, health check running
    const during = await probe.login('impatient');
    const refused = await during.request('POST', 'updates', acceptableOffer(doc, makeImage(1000)));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'busy', message: expect.stringContaining('rebooting (and running the health check') } });
    await device.boot.settled();
    expect((await probe.device()).lastUpdate).toMatchObject({ sha256: image.sha256, outcome: 'confirmed' });
  });
});
