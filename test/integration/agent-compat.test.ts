// The compatibility endpoints (--compat) with uploads made the way the originals' clients make them: multipart
// from Node's fetch + FormData, and curl -F for the ESPHome form. The image must end up confirmed in the inactive
// slot after the reboot, byte for byte; a wrong MD5 must leave the slots untouched.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseDeviceDocument } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { deviceDir, diskState, PASSWORD, testImage } from './agent-support.ts';

const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

/** The Basic credentials the compatibility endpoints need: `admin` and the pairing password. */
const AUTH = { Authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` };

async function compatAgent(dir: string): Promise<RunningAgent> {
  const agent = await startAgent({ dir, password: PASSWORD, compat: true, version: '2.0.0', log: () => {} });
  agents.push(agent);
  return agent;
}

function form(bytes: Uint8Array, field: string): FormData {
  const body = new FormData();
  body.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>]), 'firmware.bin');
  return body;
}

async function confirmed(agent: RunningAgent, sha256: string): Promise<void> {
  await agent.boot.settled();
  const doc = parseDeviceDocument(await (await fetch(`${agent.url}/fieldflash/v1/device`)).json());
  expect(doc.lastUpdate).toMatchObject({ sha256, outcome: 'confirmed' });
  expect(doc.version).toMatch(/^2\.0\.0\+compat\.[0-9a-f]{12}$/);
}

describe('compatibility endpoints', () => {
  it('ESPHome POST /update with multipart from fetch: written to slot b, rebooted, confirmed', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const image = testImage(300_000);
    const reply = await fetch(`${agent.url}/update`, { method: 'POST', headers: AUTH, body: form(image.bytes, 'update') });
    expect(reply.status).toBe(200);
    expect(await reply.text()).toBe('Update Successful!');
    await confirmed(agent, image.sha256);
    const { journal, slotsMatch } = diskState(dir);
    expect(slotsMatch).toBe(true);
    expect(journal.active).toBe('b');
    expect(new Uint8Array(readFileSync(join(dir, 'slots', 'b.img')))).toEqual(image.bytes);
  });

  it.runIf(existsSync('/usr/bin/curl'))('ESPHome POST /update with curl -F, any field name', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const image = testImage(250_000);
    const file = join(dir, 'upload.bin');
    writeFileSync(file, image.bytes);
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-u', `admin:${PASSWORD}`, '-F', `whatever=@${file}`, `${agent.url}/update`]);
    expect(stdout).toBe('Update Successful!');
    await confirmed(agent, image.sha256);
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'active', sha256: image.sha256 });
  });

  it('ElegantOTA: /ota/start with the MD5, then POST /ota/upload; confirmed', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const image = testImage(400_000);
    const md5 = createHash('md5').update(image.bytes).digest('hex');
    const start = await fetch(`${agent.url}/ota/start?mode=fr&hash=${md5}`, { headers: AUTH });
    expect([start.status, await start.text()]).toEqual([200, 'OK']);
    const upload = await fetch(`${agent.url}/ota/upload`, { method: 'POST', headers: AUTH, body: form(image.bytes, 'file') });
    expect([upload.status, await upload.text()]).toEqual([200, 'OK']);
    await confirmed(agent, image.sha256);
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'active', sha256: image.sha256 });
  });

  it('ElegantOTA with a wrong MD5 is refused and leaves both slots as they were', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const before = diskState(dir).journal;
    const image = testImage(100_000);
    await fetch(`${agent.url}/ota/start?mode=fr&hash=${'0'.repeat(32)}`, { headers: AUTH });
    const upload = await fetch(`${agent.url}/ota/upload`, { method: 'POST', headers: AUTH, body: form(image.bytes, 'file') });
    expect(upload.status).toBe(400);
    expect(await upload.text()).toContain('MD5 mismatch');
    const after = diskState(dir);
    expect(after.slotsMatch).toBe(true);
    expect(after.journal.slots).toEqual(before.slots);
    expect(existsSync(join(dir, 'slots', 'b.img'))).toBe(false);
    const fs = await fetch(`${agent.url}/ota/start?mode=fs`, { headers: AUTH });
    expect(fs.status).toBe(400);
  });

  it('is absent without --compat', async () => {
    const agent = await startAgent({ dir: deviceDir(), password: PASSWORD, log: () => {} });
    agents.push(agent);
    const reply = await fetch(`${agent.url}/update`, { method: 'POST', body: form(new Uint8Array(10), 'update') });
    expect(reply.status).toBe(404);
  });
});
