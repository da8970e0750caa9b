// The scheduled reboot's timer and journal (docs/protocol.md §5.1): it fires once its time has come by the device's
// clock, even when the timer runs out a little before (timers count from the event loop's cached time); it ends
// with the image it was set for; and the journal written with it is what a restarted device reads back.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentConfig } from '../src/config.ts';
import { Device } from '../src/device.ts';
import { readJournal } from '../src/journal.ts';
import { RebootSchedule } from '../src/reboot-schedule.ts';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function deviceWithPending(): Promise<{ device: Device; sha256: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-schedule-'));
  const device = await Device.boot(agentConfig({ dir, log: () => {} }));
  const image = new Uint8Array(5_000).map((_, i) => i % 253);
  const file = join(dir, 'incoming.bin');
  writeFileSync(file, image);
  device.store.installPending(file, { sha256: sha(image), size: image.length, version: '1.1.0', sequence: 2, securityVersion: 0 });
  return { device, sha256: sha(image), dir };
}

describe('the scheduled reboot', () => {
  it('fires once due by the device clock, also when the timer runs out before that clock says so', async () => {
    const { device, sha256 } = await deviceWithPending();
    // After the timer is set, the clock it is judged by falls 30 ms behind the timer's: the timer runs out 30 ms early.
    let behind = 0;
    const schedule = new RebootSchedule(device, () => Date.now() - behind);
    const dueWhenFired = new Promise<boolean>((resolve) => {
      schedule.onDue = () => resolve(schedule.due());
    });
    schedule.set(sha256, 1);
    behind = 30;
    expect(await dueWhenFired).toBe(true);
    schedule.disarm();
  });

  it('is journaled with the slots, ends when a commit replaces its image, and is refused for another image', async () => {
    const { device, sha256, dir } = await deviceWithPending();
    const schedule = new RebootSchedule(device);
    expect(() => schedule.set('0'.repeat(64), 60)).toThrow(/cannot reboot into 000000000000… later: the image waiting for its test boot is 1\.1\.0/);
    schedule.set(sha256, 60);
    expect(readJournal(dir)!.scheduledReboot).toMatchObject({ sha256 });
    expect(schedule.describe()).toMatchObject({ sha256, inSeconds: 60 });
    const other = new Uint8Array(5_000).fill(7);
    writeFileSync(join(dir, 'other.bin'), other);
    device.store.installPending(join(dir, 'other.bin'), { sha256: sha(other), size: other.length, version: '1.2.0', sequence: 3, securityVersion: 0 });
    expect(readJournal(dir)!.scheduledReboot).toBeNull();
    expect(schedule.describe()).toBeUndefined();
    schedule.disarm();
  });
});
