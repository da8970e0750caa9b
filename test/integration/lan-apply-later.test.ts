// Send now, apply later with the shared client (docs/protocol.md §5.1) against the reference agent on 127.0.0.1:
// scheduleUpdate() returns after the commit with the device's schedule, the verdict comes after that time, a
// cancelled schedule ends the wait with the reason, and a time that cannot be scheduled stops the update before a
// byte is sent. `npm run push --apply-at` prints when the image applies.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cancelScheduledReboot, scheduledRebootTime, scheduleUpdate, UpdateError, updateDevice, type UpdateProgress, waitForScheduledVerdict } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { acceptableOffer, Probe } from '../../packages/conformance/src/probe.ts';
import { deviceDir, PASSWORD, release, testImage } from './agent-support.ts';
import { writeTestBundle } from './lan-support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function agentAt(dir = deviceDir()): Promise<RunningAgent> {
  const agent = await startAgent({ dir, password: PASSWORD, version: '1.0.0', log: () => {} });
  agents.push(agent);
  return agent;
}

/**
 * Moves the device's schedule to `inSeconds` from now, as another technician could. The tests schedule a minute
 * ahead, so that the time never runs out while the image is sent, and then bring the reboot close.
 */
async function moveSchedule(agent: RunningAgent, inSeconds: number): Promise<void> {
  const probe = new Probe(agent.url, PASSWORD);
  try {
    const session = await probe.login('another-technician');
    const sha256 = agent.device.document().scheduledReboot!.sha256;
    expect((await session.request('PUT', 'scheduled-reboot', { sha256, inSeconds })).status).toBe(200);
  } finally {
    probe.close();
  }
}

function options(agent: RunningAgent, applyAt: Date, progress: UpdateProgress[] = []) {
  return {
    url: agent.url,
    password: PASSWORD,
    clientId: 'apply-later-client',
    release: release('1.1.0'),
    image: testImage(300_000).source,
    applyAt,
    verdictTimeoutMs: 15_000,
    onProgress: (p: UpdateProgress) => progress.push({ ...p }),
  };
}

describe('send now, apply later', () => {
  it('scheduleUpdate returns after the commit with the schedule; the verdict comes after the time', async () => {
    const agent = await agentAt();
    const applyAt = new Date(Date.now() + 60_000);
    const progress: UpdateProgress[] = [];
    const scheduled = await scheduleUpdate(options(agent, applyAt, progress));
    expect(Math.abs(scheduled.appliesAt.getTime() - applyAt.getTime())).toBeLessThan(1_000);
    expect(progress.at(-1)).toMatchObject({ phase: 'scheduled', appliesAt: scheduled.appliesAt.getTime() });
    // Returned before the reboot: the image waits, and the device shows when it applies.
    const doc = agent.device.document();
    expect(doc.slots[1]).toMatchObject({ name: 'b', state: 'pending', sha256: scheduled.sha256 });
    expect(doc.scheduledReboot).toMatchObject({ sha256: scheduled.sha256, at: scheduled.deviceAt });
    // What a view shows from the document alone, e.g. after a reload.
    const readAt = Date.now();
    expect(Math.abs(scheduledRebootTime(doc, readAt)!.getTime() - scheduled.appliesAt.getTime())).toBeLessThan(1_000);

    // Brought forward to 1 s from now: the waiting client follows the device's schedule, not its own first answer.
    const moved = Date.now();
    await moveSchedule(agent, 1);
    const progress2: UpdateProgress[] = [];
    const verdict = await waitForScheduledVerdict({ url: agent.url, clientId: 'a-reloaded-page', onProgress: (p) => progress2.push({ ...p }) }, scheduled);
    expect(Date.now() - moved).toBeGreaterThanOrEqual(1_000);
    expect(progress2.find((p) => p.phase === 'scheduled' && p.appliesAt! < applyAt.getTime() - 30_000)).toBeDefined();
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: scheduled.sha256, version: '1.1.0', slot: 'b' });
    expect(verdict.device.slots[1]).toMatchObject({ state: 'active', sha256: scheduled.sha256 });
  });

  it('updateDevice with applyAt waits through the schedule to the verdict', async () => {
    const agent = await agentAt();
    const progress: UpdateProgress[] = [];
    const bringForward: typeof fetch = async (input, init) => {
      const reply = await fetch(input, init);
      // Once the device has scheduled the reboot a minute ahead, bring it to 1 s, before the client reads the reply.
      if (String(input).endsWith('/fieldflash/v1/scheduled-reboot') && reply.status === 200) await moveSchedule(agent, 1);
      return reply;
    };
    const verdict = await updateDevice({ ...options(agent, new Date(Date.now() + 60_000), progress), fetch: bringForward });
    expect(verdict.outcome).toBe('confirmed');
    const phases = progress.map((p) => p.phase).filter((phase, i, all) => phase !== all[i - 1]);
    expect(phases.slice(-4)).toEqual(['scheduling', 'scheduled', 'waiting', 'done']);
    expect(phases).not.toContain('rebooting');
  });

  it('a page that comes back long after the time reads the verdict the device gave meanwhile', async () => {
    const agent = await agentAt();
    const scheduled = await scheduleUpdate(options(agent, new Date(Date.now() + 60_000)));
    await moveSchedule(agent, 1);
    await expect.poll(() => agent.device.document().lastUpdate?.outcome, { timeout: 15_000 }).toBe('confirmed');
    // As a laptop opened the next morning: the time and the whole wait for a verdict are long past.
    const overnight = { ...scheduled, appliesAt: new Date(Date.now() - 8 * 3_600_000) };
    const verdict = await waitForScheduledVerdict({ url: agent.url, clientId: 'next-morning', verdictTimeoutMs: 500 }, overnight);
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: scheduled.sha256, slot: 'b' });
  });

  it('a cancelled schedule ends the wait with the reason, and the image stays pending', async () => {
    const agent = await agentAt();
    const scheduled = await scheduleUpdate(options(agent, new Date(Date.now() + 60_000)));
    await cancelScheduledReboot({ url: agent.url, password: PASSWORD, clientId: 'another-technician' });
    expect(agent.device.document().scheduledReboot).toBeUndefined();
    // The device document cannot tell a cancel from a reboot brought forward: the client waits its verdict time for
    // a verdict that does not come, then says the schedule was cancelled.
    const started = Date.now();
    await expect(waitForScheduledVerdict({ url: agent.url, clientId: 'apply-later-client', verdictTimeoutMs: 500 }, scheduled)).rejects.toThrow(/was cancelled on the device before its time/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(agent.device.document().lastUpdate).toMatchObject({ sha256: scheduled.sha256, outcome: 'pending' });
  });

  it('an image another client committed just before the schedule is not scheduled, and the client says why', async () => {
    const agent = await agentAt();
    const theirs = testImage(200_001);
    const fetchCommittingFirst: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/fieldflash/v1/scheduled-reboot')) {
        const probe = new Probe(agent.url, PASSWORD);
        const session = await probe.login('other-client');
        const offered = await session.request('POST', 'updates', acceptableOffer(await probe.device(), theirs));
        await session.sendFrom(theirs, 0, (offered.body as { chunkSize: number }).chunkSize);
        expect((await session.request('POST', `updates/${theirs.sha256}/commit`, {})).status).toBe(200);
        probe.close();
      }
      return fetch(input, init);
    };
    const error = await scheduleUpdate({ ...options(agent, new Date(Date.now() + 60_000)), fetch: fetchCommittingFirst }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UpdateError);
    expect((error as Error).message).toMatch(/Another update replaced 1\.1\.0 on the device before its reboot could be scheduled/);
    const doc = agent.device.document();
    expect(doc.lastUpdate).toMatchObject({ sha256: theirs.sha256, outcome: 'pending' });
    expect(doc.scheduledReboot).toBeUndefined();
  });

  it('a device that restarted between the commit and the schedule booted the image already, and the client says so', async () => {
    const agent = await agentAt();
    let restarted = false;
    const fetchRestartingFirst: typeof fetch = async (input, init) => {
      if (!restarted && String(input).endsWith('/fieldflash/v1/scheduled-reboot')) {
        restarted = true;
        // As after a power cut: a restart with a pending slot and no schedule is the image's test boot (§5).
        agent.boot.request('restart');
        await agent.boot.settled();
      }
      return fetch(input, init);
    };
    const error = await scheduleUpdate({ ...options(agent, new Date(Date.now() + 60_000)), fetch: fetchRestartingFirst }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UpdateError);
    expect((error as Error).message).toBe('The device restarted before it could keep the schedule and booted 1.1.0 already: it was confirmed.');
    expect(agent.device.document().lastUpdate).toMatchObject({ version: '1.1.0', outcome: 'confirmed' });
  });

  it('a time in the past or more than 7 days ahead stops the update before a byte is sent', async () => {
    const agent = await agentAt();
    for (const applyAt of [new Date(Date.now() - 60_000), new Date(Date.now() + 8 * 24 * 3_600_000), new Date(Number.NaN)]) {
      const error = await scheduleUpdate(options(agent, applyAt)).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UpdateError);
      expect((error as Error).message).toMatch(/not in the future|at most 7 days ahead|not a valid date/);
    }
    expect(agent.device.document().lastUpdate).toBeUndefined();
    expect(agent.connections().peak).toBe(0);
  });
});

describe('npm run push --apply-at', () => {
  function push(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, FIELDFLASH_PAIRING_SECRET: PASSWORD };
    return new Promise((resolve) => {
      execFile(join(root, 'node_modules/.bin/tsx'), ['packages/protocol/src/node/push.ts', ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  it('commits now, prints when the image applies, and the device reboots into it then', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const bundle = await writeTestBundle(dir, { version: '1.3.0' });
    const run = await push(agent.url, bundle.path, '--apply-at', '+30s');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^scheduled: demo-sensor 1\.3\.0 in slot b applies at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+; /);
    const doc = agent.device.document();
    expect(doc.slots[1]).toMatchObject({ state: 'pending', version: '1.3.0' });
    expect(doc.scheduledReboot?.inSeconds).toBeGreaterThan(20);
    expect(doc.scheduledReboot?.inSeconds).toBeLessThanOrEqual(30);
  });

  it('with --wait ends with the verdict after the scheduled reboot', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const bundle = await writeTestBundle(dir, { version: '1.3.0' });
    // push reads +3s when it starts; sending the 200 KB release and committing take well under a second on loopback.
    const run = await push(agent.url, bundle.path, '--apply-at', '+3s', '--wait');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/committed; waiting for the scheduled reboot: applies at /);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('confirmed: demo-sensor 1.3.0 in slot b');
  });

  it('refuses a time it cannot read, and --wait without --apply-at', async () => {
    for (const args of [['--apply-at', 'tonight'], ['--apply-at', '25:00'], ['--wait']]) {
      const run = await push('http://127.0.0.1:9', 'bundle.zip', ...args);
      expect(run.code).toBe(64);
      expect(run.stderr).toMatch(/--apply-at|--wait/);
    }
  });
});
