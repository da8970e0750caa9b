// Restarts and pending slots (docs/protocol.md §5) with the reference agent and the update client: a device that
// restarts with a pending slot, for any reason, test-boots it; a client whose pending image another client replaced
// stops waiting for a verdict that will never come.
import { DeviceUpdate, UpdateError } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { acceptableOffer, Probe } from '../../packages/conformance/src/probe.ts';
import { deviceDir, diskState, PASSWORD, release, testImage } from './agent-support.ts';

const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function agentAt(dir: string): Promise<RunningAgent> {
  const agent = await startAgent({ dir, password: PASSWORD, version: '1.0.0', log: () => {} });
  agents.push(agent);
  return agent;
}

/** Offers, sends and commits `image` as `clientId`, without rebooting; the image is then pending. */
async function commit(url: string, clientId: string, image: ReturnType<typeof testImage>): Promise<void> {
  const probe = new Probe(url, PASSWORD);
  const session = await probe.login(clientId);
  const offered = await session.request('POST', 'updates', acceptableOffer(await probe.device(), { bytes: image.bytes, sha256: image.sha256 }));
  expect(offered.status).toBe(200);
  await session.sendFrom({ bytes: image.bytes, sha256: image.sha256 }, 0, (offered.body as { chunkSize: number }).chunkSize);
  expect((await session.request('POST', `updates/${image.sha256}/commit`, {})).status).toBe(200);
}

describe('restarts with a pending slot', () => {
  it('a restart that is not /reboot test-boots the pending slot and confirms it', async () => {
    const dir = deviceDir();
    const first = await agentAt(dir);
    const image = testImage(300_000);
    await commit(first.url, 'restart-test', image);
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'pending', sha256: image.sha256 });
    await agents.pop()!.close();

    const again = await agentAt(dir);
    await again.boot.settled();
    const { journal } = diskState(dir);
    expect(journal.active).toBe('b');
    expect(journal.lastUpdate).toMatchObject({ sha256: image.sha256, outcome: 'confirmed' });
    expect(again.device.document().version).not.toBe('1.0.0');
  });

  it('a client whose pending image another client replaced stops waiting and says so', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const mine = testImage(200_000);
    const theirs = testImage(200_001);
    const update = new DeviceUpdate({
      url: agent.url,
      password: PASSWORD,
      clientId: 'replaced-client',
      release: release('1.1.0'),
      image: mine.source,
      verdictTimeoutMs: 20_000,
      // Just before this client's reboot, another client commits its own image over the pending one.
      fetch: async (input, init) => {
        if (String(input).endsWith('/fieldflash/v1/reboot')) await commit(agent.url, 'other-client', theirs);
        return fetch(input, init);
      },
    });
    const error: unknown = await update.run().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UpdateError);
    expect((error as Error).message).toMatch(/replaced 1\.1\.0 on the device before it booted/);
    await agent.boot.settled();
    expect(diskState(dir).journal.lastUpdate).toMatchObject({ sha256: theirs.sha256, outcome: 'confirmed' });
  });
});
