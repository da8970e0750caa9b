// kill -9 of the agent at the worst moments: mid-chunk, mid-journal-write, mid-commit, during the test boot, and
// at random times. After each restart the disk must hold a valid state (an active slot whose bytes hash to its
// recorded SHA-256, no slot whose bytes differ from its record) and the update must complete, resuming where the
// device says. FIELDFLASH_KILL_RUNS sets how many random-time kills run (default 4, one per phase; raise it for soak runs).
import type { ChildProcess } from 'node:child_process';
import { type DeviceDocument, DeviceUpdate, parseDeviceDocument, type UpdateProgress, type UpdateVerdict } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentProcess, deviceDir, diskState, PASSWORD, release, spawnAgent, type TestImage, testImage } from './agent-support.ts';

const RANDOM_RUNS = Number(process.env.FIELDFLASH_KILL_RUNS ?? 4);
/** Many small chunks, so kills land between and inside chunks, with eight in flight. */
const SMALL_CHUNKS = ['--chunk-size', '65536', '--window', '8'];
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

type Agent = AgentProcess;

async function startAgent(dir: string, port: number, crashAt?: string): Promise<Agent> {
  const agent = await spawnAgent(dir, port, SMALL_CHUNKS, { ...process.env, FIELDFLASH_AGENT_CRASH_AT: crashAt ?? '' });
  running.push(agent.child);
  return agent;
}

function update(agent: Agent, image: TestImage, version: string, progress: UpdateProgress[] = []): Promise<UpdateVerdict> {
  const abort = new AbortController();
  void agent.exited.then(() => abort.abort(new Error('the agent died')));
  return new DeviceUpdate({
    url: agent.url,
    password: PASSWORD,
    clientId: 'kill-test',
    release: release(version),
    image: image.source,
    attempts: 2,
    backoffMs: { first: 50, max: 200 },
    verdictTimeoutMs: 20_000,
    signal: abort.signal,
    onProgress: (p) => progress.push({ ...p }),
  }).run();
}

/**
 * The disk holds a bootable, verified state: the active slot's bytes match its record, and so does every other
 * filled slot. A test boot may still be journaled (the kill came during it); the next start rolls it back.
 */
function expectValid(dir: string): void {
  const { journal, slotsMatch } = diskState(dir);
  expect(slotsMatch).toBe(true);
  expect(journal.slots[journal.active].state).toBe('active');
}

async function deviceDocument(agent: Agent): Promise<DeviceDocument> {
  return parseDeviceDocument(await (await fetch(`${agent.url}/fieldflash/v1/device`)).json());
}

async function killed(agent: Agent): Promise<void> {
  await agent.exited;
  expect(agent.child.signalCode).toBe('SIGKILL');
}

/** A device directory with its factory image, and the port its agent keeps across restarts. */
async function freshDevice(): Promise<{ dir: string; port: number }> {
  const dir = deviceDir();
  const first = await startAgent(dir, 0);
  first.child.kill('SIGKILL');
  await first.exited;
  return { dir, port: first.port };
}

describe('agent killed with SIGKILL', () => {
  const points: Array<[string, string]> = [
    ['chunk:90', 'in the middle of a chunk'],
    ['journal-write:1', 'during the journal write of a commit'],
    ['commit:1', 'during a commit, after the image moved into its slot'],
    ['reboot:1', 'during the test boot'],
    ['journal-write:3', 'during the journal write that confirms the image'],
  ];
  for (const [point, when] of points) {
    it(`restarts valid and completes the update when killed ${when} (${point})`, async () => {
      const { dir, port } = await freshDevice();
      // The agent acknowledges nothing more once 4 MiB are unsynced, so with 8 chunks in flight the 90th chunk
      // (5.6 MiB) is written after a group commit made at least the first 4 MiB durable.
      const image = testImage(point.startsWith('chunk') ? 6_500_000 : 1_500_000);
      const doomed = await startAgent(dir, port, point);
      await expect(update(doomed, image, '1.1.0')).rejects.toThrow();
      await killed(doomed);
      expectValid(dir);

      const agent = await startAgent(dir, port);
      const before = await deviceDocument(agent);
      expect(before.version).toBe('1.0.0');
      if (point === 'reboot:1' || point === 'journal-write:3') {
        // The image never confirmed its test boot: the restart rolled it back and says why.
        expect(before.lastUpdate).toMatchObject({ sha256: image.sha256, outcome: 'rolled-back' });
        expect(before.lastUpdate?.reason).toContain('restarted during the test boot');
      }
      expect(diskState(dir).journal.testBoot).toBeNull();
      const progress: UpdateProgress[] = [];
      const verdict = await update(agent, image, '1.1.0', progress);
      expect(verdict.outcome).toBe('confirmed');
      if (point.startsWith('chunk')) {
        // The device said where to continue: not from 0, since a group commit had made the first MiBs durable.
        const resumedAt = progress.find((p) => p.phase === 'sending')!.offset;
        expect(resumedAt).toBeGreaterThan(0);
        expect(resumedAt).toBeLessThan(image.bytes.length);
      }
      expectValid(dir);
      const { journal } = diskState(dir);
      expect(journal.slots[journal.active]).toMatchObject({ sha256: image.sha256, version: '1.1.0' });
    }, 30_000);
  }

  it(`survives ${RANDOM_RUNS} kills at random moments and still completes`, async () => {
    const { dir, port } = await freshDevice();
    const image = testImage(2_000_000);
    // Each run picks the phase to die in, in turn, then a random moment within it.
    const phases = ['sending', 'committing', 'rebooting', 'waiting'];
    const reached: string[] = [];
    for (let run = 0; run < RANDOM_RUNS; run++) {
      const agent = await startAgent(dir, port);
      const phase = phases[run % phases.length]!;
      const kill = (): void => {
        setTimeout(() => agent.child.kill('SIGKILL'), Math.random() * 80);
      };
      let armed = true;
      const attempt = new DeviceUpdate({
        url: agent.url,
        password: PASSWORD,
        clientId: 'kill-test',
        release: release('1.1.0'),
        image: image.source,
        attempts: 2,
        backoffMs: { first: 50, max: 200 },
        verdictTimeoutMs: 20_000,
        onProgress: (p) => {
          if (armed && p.phase === phase) {
            armed = false;
            reached.push(phase);
            kill();
          }
        },
      })
        .run()
        .catch(() => undefined);
      await Promise.race([attempt, agent.exited]);
      if (armed) kill();
      await agent.exited;
      expectValid(dir);
    }
    // Most kills came in the phase they aimed at (a run can end before its phase when an earlier run got far).
    expect(reached.length).toBeGreaterThanOrEqual(Math.ceil(RANDOM_RUNS / 2));
    const agent = await startAgent(dir, port);
    const verdict = await update(agent, image, '1.1.0');
    expect(verdict.outcome).toBe('confirmed');
    expectValid(dir);
    expect(diskState(dir).journal.lastUpdate).toMatchObject({ sha256: image.sha256, outcome: 'confirmed' });
  }, 30_000 + RANDOM_RUNS * 4_000);
});
