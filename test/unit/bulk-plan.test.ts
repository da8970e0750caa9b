// "Update selected": each device gets the newest release that fits it; the others are left out with the reason, and a
// downgrade is never sent in bulk.
import type { DeviceDocument } from '@fieldflash/protocol';
import { describe, expect, test } from 'vitest';
import { planBulkUpdate } from '../../src/devices/bulk-plan.ts';
import type { PairedDevice, ReleaseSummary } from '../../src/store/index.ts';

function device(id: string, change: Partial<DeviceDocument> = {}): PairedDevice {
  const document: DeviceDocument = {
    id, product: 'demo-sensor', chipFamily: 'ESP32', board: 'devkitc-v4', hardwareRevision: '2.1', version: '1.2.0',
    sequence: 12, securityVersion: 2, agentVersion: '0.1.0', protocol: { versions: [1] }, capabilities: ['http'], maxImageSize: 1 << 24,
    chunk: { size: 65536, window: 4 }, maxConnections: 8, slots: [{ name: 'a', state: 'active', version: '1.2.0', sha256: 'a'.repeat(64), size: 1 }],
    ...change,
  };
  return { id, url: `http://192.168.1.${id.length}:8070`, document } as PairedDevice;
}

function summary(version: string, change: Partial<ReleaseSummary> = {}): ReleaseSummary {
  return {
    id: `id-${version}-${change.product ?? 'demo-sensor'}`, format: 'fieldflash', product: 'demo-sensor', version, declaredVersion: version, sequence: 12, securityVersion: 2,
    builds: [{ target: { chipFamily: 'ESP32', board: 'devkitc-v4' }, ota: { kind: 'per-slot', slot0: 'ota/slot0.bin', slot1: 'ota/slot1.bin' } }],
    files: [], notes: [], sourceName: `demo-sensor-${version}.zip`, addedAt: 0, totalSize: 0, ...change,
  } as ReleaseSummary;
}

const idle = () => false;

describe('the bulk update plan', () => {
  test('each device gets the newest release that fits it, whatever the others get', () => {
    const older = device('old', { version: '1.0.0' });
    const s3 = device('s3', { chipFamily: 'ESP32-S3' });
    const releases = [summary('1.1.0'), summary('1.3.0'), summary('1.4.0', { builds: [{ target: { chipFamily: 'ESP32-S3', board: 'devkitc-v4' }, ota: { kind: 'either', image: 'a.bin' } }] })];
    const plan = planBulkUpdate([older, s3], releases, idle);
    expect(plan.start.map((s) => [s.device.id, s.release.version])).toEqual([
      ['old', '1.3.0'],
      ['s3', '1.4.0'],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  test('a device with no fitting release is left out with the reason, about its own product when the library holds one', () => {
    const sensor = device('sensor');
    const door = device('door', { product: 'garage-door' });
    const plan = planBulkUpdate([sensor, door], [summary('2.0.0', { securityVersion: 1 })], idle);
    expect(plan.start).toEqual([]);
    expect(plan.skipped.map((s) => [s.device.id, s.reason])).toEqual([
      ['sensor', "no release in the library fits it: demo-sensor 2.0.0 has security version 1, below the device's 2: the device refuses it, even as a downgrade."],
      ['door', 'the library holds no release of garage-door. Add one in Library first.'],
    ]);
  });

  test('a device already on the newest fitting version, or above it, is left out: no reinstall, and no downgrade without its own confirmation', () => {
    const current = device('current');
    const newer = device('newer', { version: '2.0.0' });
    const plan = planBulkUpdate([current, newer], [summary('1.2.0'), summary('1.1.0')], idle);
    expect(plan.start).toEqual([]);
    expect(plan.skipped.map((s) => s.reason)).toEqual([
      'it already runs 1.2.0, the newest release in the library that fits it.',
      'the newest release that fits it, 1.2.0, is older than the 2.0.0 it runs. Downgrades are not sent to many devices at once: use its own Downgrade button, which asks first.',
    ]);
  });

  test('a device with an update already running or waiting keeps it', () => {
    const busy = device('busy', { version: '1.0.0' });
    const plan = planBulkUpdate([busy], [summary('1.3.0')], (id) => id === 'busy');
    expect(plan).toEqual({ start: [], skipped: [{ device: busy, reason: 'it is already being updated; it keeps that update.' }] });
  });

  test('with a time to apply at, a device that cannot schedule its restart is left out rather than restarted now', () => {
    const plain = device('plain', { version: '1.0.0', agentVersion: '0.0.9' });
    const able = device('able', { version: '1.0.0', capabilities: ['http', 'scheduled-reboot'] });
    const plan = planBulkUpdate([plain, able], [summary('1.3.0')], idle, true);
    expect(plan.start.map((s) => s.device.id)).toEqual(['able']);
    expect(plan.skipped.map((s) => s.reason)).toEqual(['it cannot schedule its restart (agent 0.0.9), so it would apply the update at once. Update it on its own, without a time.']);
  });
});
