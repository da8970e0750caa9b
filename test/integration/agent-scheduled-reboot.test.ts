// Send now, apply later (docs/protocol.md §5.1) with the reference agent as a process: a reboot scheduled seconds
// ahead boots the pending image at its time and confirms it; a cancelled one never fires; a schedule outlives a
// kill -9 of the agent, the restart does not boot the image early, and the schedule still fires.
import type { ChildProcess } from 'node:child_process';
import { type DeviceDocument, parseDeviceDocument, parseScheduledReboot } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptableOffer, Probe, type Session } from '../../packages/conformance/src/probe.ts';
import { type AgentProcess, deviceDir, diskState, PASSWORD, spawnAgent, testImage } from './agent-support.ts';

const running: ChildProcess[] = [];
const probes: Probe[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const probe of probes.splice(0)) probe.close();
});

interface Agent extends AgentProcess {
  probe: Probe;
}

async function startAgent(dir: string, port = 0): Promise<Agent> {
  const agent = await spawnAgent(dir, port);
  running.push(agent.child);
  const probe = new Probe(agent.url, PASSWORD);
  probes.push(probe);
  return { ...agent, probe };
}

/** Logs in, sends and commits a new image; it is then pending in slot b. */
async function commitImage(agent: Agent): Promise<{ session: Session; sha256: string }> {
  const image = testImage(200_000);
  const session = await agent.probe.login('apply-later-test');
  const offered = await session.request('POST', 'updates', acceptableOffer(await agent.probe.device(), image));
  expect(offered.status).toBe(200);
  await session.sendFrom(image, 0, (offered.body as { chunkSize: number }).chunkSize);
  expect((await session.request('POST', `updates/${image.sha256}/commit`, {})).status).toBe(200);
  return { session, sha256: image.sha256 };
}

async function document(agent: Agent): Promise<DeviceDocument> {
  return parseDeviceDocument(await (await fetch(`${agent.url}/fieldflash/v1/device`)).json());
}

/** Reads the device document until it gives its verdict on `sha256`; a device away rebooting refuses connections. */
async function verdict(agent: Agent, sha256: string): Promise<{ doc: DeviceDocument; at: number }> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const doc = await document(agent).catch(() => undefined);
    if (doc?.lastUpdate?.sha256 === sha256 && doc.lastUpdate.outcome !== 'pending') return { doc, at: Date.now() };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no verdict within 15 s');
}

function expectStillPending(doc: DeviceDocument, sha256: string): void {
  expect(doc.version).toBe('1.0.0');
  expect(doc.slots.find((s) => s.name === 'a')?.state).toBe('active');
  expect(doc.slots.find((s) => s.name === 'b')).toMatchObject({ state: 'pending', sha256 });
  expect(doc.lastUpdate).toMatchObject({ sha256, outcome: 'pending' });
}

function expectConfirmed(doc: DeviceDocument, sha256: string): void {
  expect(doc.lastUpdate).toMatchObject({ sha256, outcome: 'confirmed' });
  expect(doc.slots.find((s) => s.name === 'b')).toMatchObject({ state: 'active', sha256 });
  expect(doc.slots.find((s) => s.name === 'a')?.state).toBe('confirmed');
  expect(doc.scheduledReboot).toBeUndefined();
}

describe('a scheduled reboot', () => {
  it('boots the pending image at its time, not before, and the image is confirmed', async () => {
    const agent = await startAgent(deviceDir());
    const { session, sha256 } = await commitImage(agent);
    const asked = Date.now();
    const reply = await session.request('PUT', 'scheduled-reboot', { sha256, inSeconds: 2 });
    expect(reply.status).toBe(200);
    const scheduled = parseScheduledReboot(reply.body);
    expect(scheduled).toMatchObject({ sha256, inSeconds: 2 });
    expect(Math.abs(Date.parse(scheduled.at) - (asked + 2000))).toBeLessThan(1500);

    const doc = await document(agent);
    expectStillPending(doc, sha256);
    expect(doc.capabilities).toContain('scheduled-reboot');
    expect(doc.scheduledReboot).toMatchObject({ sha256, at: scheduled.at });

    const result = await verdict(agent, sha256);
    // The device counted its 2 s from when it read the request, which was after `asked`.
    expect(result.at - asked).toBeGreaterThanOrEqual(2000);
    expectConfirmed(result.doc, sha256);
  });

  it('cancelled, never fires: the image stays pending past its time', async () => {
    const dir = deviceDir();
    const agent = await startAgent(dir);
    const { session, sha256 } = await commitImage(agent);
    expect((await session.request('PUT', 'scheduled-reboot', { sha256, inSeconds: 1 })).status).toBe(200);
    expect((await session.request('DELETE', 'scheduled-reboot')).status).toBe(204);
    // Sent again, it is still 204: nothing is scheduled either way.
    expect((await session.request('DELETE', 'scheduled-reboot')).status).toBe(204);
    expect(diskState(dir).journal.scheduledReboot).toBeNull();
    // Past the time it was set for: an absence can only be seen by waiting past the moment it would have fired.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const doc = await document(agent);
    expectStillPending(doc, sha256);
    expect(doc.scheduledReboot).toBeUndefined();
    expect(diskState(dir).journal.testBoot).toBeNull();
  });

  it('survives kill -9: the restart boots the running image, keeps the schedule, and it fires at its time', async () => {
    const dir = deviceDir();
    const first = await startAgent(dir);
    const { session, sha256 } = await commitImage(first);
    const asked = Date.now();
    const scheduled = parseScheduledReboot((await session.request('PUT', 'scheduled-reboot', { sha256, inSeconds: 3 })).body);
    expect(diskState(dir).journal.scheduledReboot).toMatchObject({ sha256 });
    first.child.kill('SIGKILL');
    await first.exited;

    const again = await startAgent(dir, first.port);
    const doc = await document(again);
    // A restart before the time is not the image's test boot (§5.1): the device runs 1.0.0 and the image waits.
    expectStillPending(doc, sha256);
    expect(doc.scheduledReboot).toMatchObject({ sha256, at: scheduled.at });
    expect(doc.scheduledReboot!.inSeconds).toBeLessThanOrEqual(3);

    const result = await verdict(again, sha256);
    expect(result.at - asked).toBeGreaterThanOrEqual(3000);
    expectConfirmed(result.doc, sha256);
  });

  it('is refused without a pending image, out of bounds, or from a stranger', async () => {
    const agent = await startAgent(deviceDir());
    const session = await agent.probe.login('apply-later-test');
    const code = (reply: { body: unknown }) => (reply.body as { error: { code: string } }).error.code;
    const other = testImage(1000).sha256;
    const none = await session.request('PUT', 'scheduled-reboot', { sha256: other, inSeconds: 60 });
    expect([none.status, code(none)]).toEqual([409, 'not-pending']);
    const { sha256 } = await commitImage(agent);
    // An image that is not the pending one: another client committed over it, or it never was.
    const another = await session.request('PUT', 'scheduled-reboot', { sha256: other, inSeconds: 60 });
    expect([another.status, code(another)]).toEqual([409, 'not-pending']);
    for (const change of [{ inSeconds: 0 }, { inSeconds: 604_801 }, { inSeconds: 1.5 }, { inSeconds: null }, { sha256: null }, { sha256: sha256.toUpperCase() }, { inSeconds: undefined, at: '2026-12-03T02:00:00Z' }]) {
      const body = { sha256, inSeconds: 60, ...change };
      const reply = await session.request('PUT', 'scheduled-reboot', body);
      expect([reply.status, code(reply)], JSON.stringify(body)).toEqual([400, 'bad-request']);
    }
    expect((await session.request('PUT', 'scheduled-reboot', { sha256, inSeconds: 604_800 })).status).toBe(200);
    // Neither set nor cancelled by someone who cannot sign a request.
    expect((await agent.probe.raw('DELETE', '/fieldflash/v1/scheduled-reboot')).status).toBe(401);
    expect((await agent.probe.raw('PUT', '/fieldflash/v1/scheduled-reboot', { body: { sha256, inSeconds: 1 } })).status).toBe(401);
    expect((await document(agent)).scheduledReboot).toMatchObject({ sha256, inSeconds: 604_800 });
    // A new commit replaces the pending image and ends the schedule that was set for the old one.
    const next = await commitImage(agent);
    const doc = await document(agent);
    expect(doc.lastUpdate?.sha256).toBe(next.sha256);
    expect(doc.scheduledReboot).toBeUndefined();
  });
});
