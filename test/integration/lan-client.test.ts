// The update client (packages/protocol) against the real reference agent, over real sockets on 127.0.0.1:
// links cut mid-transfer (HTTP through a relay that resets connections, WebRTC by closing the peer connection),
// a reloaded client, throttling, a lapsed login, giving up, and refusals. Success is always the device's verdict and
// the bytes in its slot.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { DeviceRefusal, type PeerConnectionLike, updateDevice, UpdateError, type UpdateOptions, type UpdateProgress } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { deviceDir, diskState, PASSWORD, release, testImage } from './agent-support.ts';
import { CuttableLink } from './lan-support.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function agentAt(dir: string, extra: Parameters<typeof startAgent>[0] extends infer T ? Partial<T> : never = {}): Promise<RunningAgent> {
  const agent = await startAgent({ dir, password: PASSWORD, version: '1.0.0', log: () => {}, ...extra });
  cleanups.push(() => agent.close());
  return agent;
}

async function relayTo(agent: RunningAgent): Promise<CuttableLink> {
  const link = await CuttableLink.start(agent.port);
  cleanups.push(() => link.close());
  return link;
}

function options(url: string, image: ReturnType<typeof testImage>, extra: Partial<UpdateOptions> = {}): UpdateOptions {
  return { url, password: PASSWORD, clientId: 'lan-client-test', release: release('1.3.0'), image: image.source, ...extra };
}

/** The offsets the client resumed from: the first `sending` report after each `retrying`. */
function resumedOffsets(events: UpdateProgress[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < events.length; i++) if (events[i]!.phase === 'sending' && events[i - 1]!.phase !== 'sending' && events.slice(0, i).some((e) => e.phase === 'retrying')) out.push(events[i]!.offset);
  return out;
}

/** The SHA-256 of what the slot holds on the device's disk (comparing megabytes with toEqual is slow). */
function slotSha256(dir: string, slot: string): string {
  return createHash('sha256').update(readFileSync(join(dir, 'slots', `${slot}.img`))).digest('hex');
}

describe('the update client against the reference agent', () => {
  it('over HTTP, resumes from the offset the device reports after the link is cut twice, the second time for 400 ms', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const link = await relayTo(agent);
    const image = testImage(3 * 1024 * 1024 + 1234);
    const events: UpdateProgress[] = [];
    /** For each cut: how many progress events came before it, and what the device had acknowledged. */
    const cuts: Array<{ at: number; acked: number }> = [];
    const verdict = await updateDevice(
      options(link.url, image, {
        backoffMs: { first: 50, max: 400 },
        onProgress: (p) => {
          events.push(p);
          if (p.phase !== 'sending') return;
          if ((link.cuts === 0 && p.offset > image.bytes.length * 0.3) || (link.cuts === 1 && p.offset > image.bytes.length * 0.7)) {
            cuts.push({ at: events.length, acked: p.offset });
            if (link.cuts === 0) link.cut();
            else link.down(400);
          }
        },
      }),
    );
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: image.sha256, version: '1.3.0', slot: 'b' });
    expect(link.cuts).toBe(2);
    // Each resume starts at or past what the device had acknowledged before the cut that preceded it: never from 0.
    const resumes = events
      .map((e, i) => ({ e, i }))
      .filter(({ e, i }) => e.phase === 'sending' && i > 0 && events[i - 1]!.phase !== 'sending' && events.slice(0, i).some((x) => x.phase === 'retrying'));
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    for (const { e, i } of resumes) {
      const cut = cuts.filter((c) => c.at <= i).at(-1)!;
      expect(e.offset).toBeGreaterThanOrEqual(cut.acked);
    }
    expect(events.filter((e) => e.phase === 'retrying').every((e) => typeof e.reason === 'string' && e.reason.length > 0)).toBe(true);
    expect(slotSha256(dir, 'b')).toBe(image.sha256);
    const { journal, slotsMatch } = diskState(dir);
    expect(slotsMatch).toBe(true);
    expect(journal.active).toBe('b');
  });

  it('over WebRTC, opens a new data channel after the first one dies mid-transfer and resumes', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const image = testImage(2 * 1024 * 1024);
    const peers: PeerConnectionLike[] = [];
    const events: UpdateProgress[] = [];
    let cutAt = -1;
    const verdict = await updateDevice(
      options(agent.url, image, {
        transport: 'webrtc',
        backoffMs: { first: 50, max: 200 },
        newPeerConnection: () => {
          const pc = new RTCPeerConnection({ iceServers: [] }) as unknown as PeerConnectionLike;
          peers.push(pc);
          return pc;
        },
        onProgress: (p) => {
          events.push(p);
          if (p.phase === 'sending' && cutAt < 0 && p.offset > image.bytes.length * 0.4) {
            cutAt = p.offset;
            peers[0]!.close();
          }
        },
      }),
    );
    expect(verdict).toMatchObject({ outcome: 'confirmed', sha256: image.sha256, slot: 'b' });
    expect(peers.length).toBeGreaterThanOrEqual(2);
    expect(resumedOffsets(events)[0]).toBeGreaterThanOrEqual(cutAt);
    expect(slotSha256(dir, 'b')).toBe(image.sha256);
  });

  it('a client that stops and starts again with the same id continues its own upload', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const image = testImage(2 * 1024 * 1024);
    const stop = new AbortController();
    let stoppedAt = 0;
    const first = updateDevice(
      options(agent.url, image, {
        signal: stop.signal,
        onProgress: (p) => {
          if (p.phase === 'sending' && p.offset > image.bytes.length / 2 && !stop.signal.aborted) {
            stoppedAt = p.offset;
            stop.abort(new Error('the page was reloaded'));
          }
        },
      }),
    );
    await expect(first).rejects.toThrow('the page was reloaded');
    const events: UpdateProgress[] = [];
    const verdict = await updateDevice(options(agent.url, image, { onProgress: (p) => events.push(p) }));
    expect(verdict.outcome).toBe('confirmed');
    const firstSending = events.find((e) => e.phase === 'sending')!;
    expect(firstSending.offset).toBeGreaterThanOrEqual(stoppedAt);
    expect(slotSha256(dir, 'b')).toBe(image.sha256);
  });

  it('keeps to the throttle: 512 KiB at 1024 KiB/s take at least 0.4 s of sending', async () => {
    const agent = await agentAt(deviceDir());
    const image = testImage(512 * 1024);
    const at: Partial<Record<UpdateProgress['phase'], number>> = {};
    const verdict = await updateDevice(options(agent.url, image, { throttleKiBps: 1024, onProgress: (p) => (at[p.phase] ??= performance.now()) }));
    expect(verdict.outcome).toBe('confirmed');
    // The first chunk goes at once; the other 448 KiB wait their turn.
    expect(at.committing! - at.sending!).toBeGreaterThanOrEqual(400);
  });

  it('authenticates again when its login lapses mid-transfer, and carries on', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir, { sessionTtlSeconds: 1 });
    const image = testImage(1024 * 1024);
    const events: UpdateProgress[] = [];
    const verdict = await updateDevice(options(agent.url, image, { throttleKiBps: 512, onProgress: (p) => events.push(p) }));
    expect(verdict.outcome).toBe('confirmed');
    expect(events.filter((e) => e.phase === 'authenticating').length).toBeGreaterThanOrEqual(2);
    expect(slotSha256(dir, 'b')).toBe(image.sha256);
  });

  it('gives up after repeated failures with no progress, saying what to do', async () => {
    const agent = await agentAt(deviceDir());
    const link = await relayTo(agent);
    link.down(60_000);
    const retries: UpdateProgress[] = [];
    const error = await updateDevice(
      options(link.url, testImage(1000), { attempts: 3, backoffMs: { first: 20, max: 40 }, onProgress: (p) => p.phase === 'retrying' && retries.push(p) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpdateError);
    expect((error as Error).message).toMatch(/^Gave up after 3 attempts in a row without progress: The device at 127\.0\.0\.1:\d+ did not answer/);
    expect((error as Error).message).toMatch(/it will resume\.$/);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it("passes on the device's refusal and sentence, and leaves its slots alone; force then downgrades", async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir, { version: '2.0.0' });
    const image = testImage(100_000);
    const before = diskState(dir).journal;
    const refusal = await updateDevice(options(agent.url, image)).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DeviceRefusal);
    expect(refusal).toMatchObject({ code: 'downgrade', status: 409 });
    expect((refusal as Error).message).toBe('The device runs 2.0.0; 1.3.0 is older. Send with force to downgrade.');
    expect(diskState(dir).journal).toEqual(before);
    const verdict = await updateDevice(options(agent.url, image, { force: true }));
    expect(verdict).toMatchObject({ outcome: 'confirmed', version: '1.3.0' });
  });
});
