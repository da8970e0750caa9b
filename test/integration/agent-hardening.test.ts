// Attacks from the shared Wi-Fi against the reference agent, judged on what the agent did: its slots and journal,
// its log, and how many times its install hook ran. The conformance suite tries the same attacks from outside;
// these look inside as well.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle, writeAppImage } from '@fieldflash/bundle';
import { DeviceRefusal, DeviceUpdate, planRelease } from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { acceptableOffer, makeImage, Probe } from '../../packages/conformance/src/probe.ts';
import { codeOf, rawRequest } from '../../packages/conformance/src/raw-http.ts';
import { deviceDir, diskState, PASSWORD, release, testImage } from './agent-support.ts';
import { writeTestBundle } from './lan-support.ts';

const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function agent(options: Partial<Parameters<typeof startAgent>[0]> = {}) {
  const log: string[] = [];
  const dir = deviceDir();
  const running = await startAgent({ dir, password: PASSWORD, webrtc: false, log: (line) => log.push(line), ...options });
  agents.push(running);
  return { running, dir, log, probe: new Probe(running.url, PASSWORD) };
}

const errorOf = (body: unknown) => (body as { error: Record<string, unknown> }).error;

describe('agent hardening', () => {
  it('refuses a release of another product in the client, before the offer; the agent never hears of it', async () => {
    const { running, dir, log } = await agent();
    const image = testImage(50_000);
    const update = new DeviceUpdate({ url: running.url, password: PASSWORD, clientId: 'other-product', release: release('1.1.0', { product: 'garage-door' }), image: image.source, attempts: 1 });
    const refusal = await update.run().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DeviceRefusal);
    expect((refusal as DeviceRefusal).code).toBe('incompatible-product');
    expect(log.filter((line) => line.includes('update to'))).toEqual([]);
    expect(readdirSync(join(dir, 'uploads'))).toEqual([]);
  });

  it('picks no image from a release of another product: the plan says why', async () => {
    const { probe } = await agent();
    const { path } = await writeTestBundle(deviceDir(), { product: 'garage-door', version: '1.1.0' });
    const [other] = await readBundle({ name: 'garage-door-1.1.0.zip', data: new Blob([readFileSync(path)]) });
    const doc = await probe.device();
    expect(() => planRelease(other!, doc)).toThrow(/garage-door 1\.1\.0 is a release of garage-door; the device runs demo-sensor/);
  });

  it('reads secure_version from an ESP app image: a contradicting offer is refused at commit, an agreeing one is recorded as the image\'s', async () => {
    const { running, dir, probe } = await agent({ securityVersion: 1 });
    const session = await probe.login('esp-client');
    const espImage = async (secureVersion: number, chipFamily: 'ESP32' | 'ESP32-C3' = 'ESP32') => {
      const bytes = await writeAppImage({ chipFamily, projectName: 'demo-sensor', version: '1.1.0', secureVersion, payload: makeImage(100_000).bytes });
      return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    };
    const commitWith = async (image: { bytes: Uint8Array; sha256: string }, claim: Record<string, unknown>) => {
      const doc = await probe.device();
      expect((await session.request('POST', 'updates', acceptableOffer(doc, image, claim))).status).toBe(200);
      await session.sendFrom(image, 0, doc.chunk.size);
      return session.request('POST', `updates/${image.sha256}/commit`, {});
    };
    const before = diskState(dir).journal.slots;

    const lying = await espImage(2);
    const refused = await commitWith(lying, { securityVersion: 3 });
    expect(refused.status).toBe(422);
    expect(errorOf(refused.body)).toMatchObject({ code: 'image-mismatch', field: 'securityVersion', offered: 3, image: 2 });
    expect(errorOf((await session.request('GET', `updates/${lying.sha256}`)).body).code).toBe('unknown-session');
    expect(diskState(dir).journal.slots).toEqual(before);

    const otherChip = await espImage(1, 'ESP32-C3');
    expect(errorOf((await commitWith(otherChip, {})).body)).toMatchObject({ code: 'image-mismatch', field: 'chipFamily', image: 'ESP32-C3' });

    const honest = await espImage(2);
    expect((await commitWith(honest, { securityVersion: 2 })).status).toBe(200);
    expect((await session.request('POST', 'reboot', {})).status).toBe(202);
    await running.boot.settled();
    const doc = await probe.device();
    expect(doc.lastUpdate).toMatchObject({ sha256: honest.sha256, outcome: 'confirmed' });
    expect(doc.securityVersion).toBe(2);
    expect(doc.counterSources).toEqual({ sequence: 'offer', securityVersion: 'image' });
  });

  it('an offer claiming security version 2^53-1 is refused and blocks no later update', async () => {
    const { probe } = await agent();
    const doc = await probe.device();
    expect(doc.counterSources).toEqual({ sequence: 'factory', securityVersion: 'factory' });
    const session = await probe.login('counter-client');
    const image = makeImage(10_000);
    const huge = await session.request('POST', 'updates', acceptableOffer(doc, image, { securityVersion: Number.MAX_SAFE_INTEGER, force: true }));
    expect([huge.status, errorOf(huge.body).code]).toEqual([400, 'bad-request']);
    const ordinary = await session.request('POST', 'updates', acceptableOffer(doc, image));
    expect(ordinary.status).toBe(200);
    expect((await probe.device()).securityVersion).toBe(doc.securityVersion);
  });

  it('three concurrent commits of one upload run the install hook once, and the slot holds the image', async () => {
    const runs = join(deviceDir(), 'hook-runs');
    // The hook takes a moment, as dpkg would: the other commits arrive while it runs.
    const { running, dir: hooked, probe: hookedProbe } = await agent({ installHook: `sleep 0.3; echo "$FIELDFLASH_SHA256" >> ${runs}` });
    const session = await hookedProbe.login('racer');
    const image = makeImage(300_000);
    const doc = await hookedProbe.device();
    expect((await session.request('POST', 'updates', acceptableOffer(doc, image))).status).toBe(200);
    await session.sendFrom(image, 0, doc.chunk.size);
    const replies = await Promise.all([1, 2, 3].map(() => session.request('POST', `updates/${image.sha256}/commit`, {})));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(new Set(replies.map((reply) => JSON.stringify(reply.body))).size).toBe(1);
    const retried = await session.request('POST', `updates/${image.sha256}/commit`, {});
    expect(retried.body).toEqual(replies[0]!.body);
    expect(readFileSync(runs, 'utf8').trim().split('\n')).toEqual([image.sha256]);
    const { journal, slotsMatch } = diskState(hooked);
    expect(slotsMatch).toBe(true);
    expect(journal.slots.b).toMatchObject({ state: 'pending', sha256: image.sha256 });
    expect(journal.lastUpdate).toMatchObject({ sha256: image.sha256, outcome: 'pending' });
    expect(running.device.document().slots[1]).toMatchObject({ state: 'pending', sha256: image.sha256 });
  });

  it('answers bad input with 400 and its code, and logs no stack trace', async () => {
    const { probe, running, log } = await agent();
    const session = await probe.login('fuzzer');
    const doc = await probe.device();
    const image = makeImage(100_000);
    expect((await session.request('POST', 'updates', acceptableOffer(doc, image))).status).toBe(200);
    const nested = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const longVersion = JSON.stringify(acceptableOffer(doc, image, { version: `1.0.0-${'x'.repeat(994)}` }));
    const chunkAt = (offset: string) => `/fieldflash/v1/updates/${image.sha256}?offset=${offset}`;
    // Each request is signed as the owner's client would sign it: only its content is bad.
    const signed = (method: string, target: string, body: string | Uint8Array, digest?: string) => session.authHeaders(method, target, typeof body === 'string' ? body : undefined, digest);
    const chunk = image.bytes.subarray(0, 1000);
    const replies = [
      await rawRequest(running.url, { method: 'POST', path: '/fieldflash/v1/auth/challenge', headers: { 'Content-Type': 'application/json' }, body: nested }),
      await rawRequest(running.url, { method: 'POST', path: '/fieldflash/v1/updates', headers: { ...(await signed('POST', '/fieldflash/v1/updates', nested)), 'Content-Type': 'application/json' }, body: nested }),
      await rawRequest(running.url, { method: 'POST', path: '/fieldflash/v1/updates', headers: { ...(await signed('POST', '/fieldflash/v1/updates', longVersion)), 'Content-Type': 'application/json' }, body: longVersion }),
      await rawRequest(running.url, { method: 'PUT', path: chunkAt('0'), headers: await signed('PUT', chunkAt('0'), chunk, 'sha-256=:@@@@not base64@@@@:'), body: chunk }),
    ];
    for (const offset of ['0x0', '0e0', '00', '-0', '+0', '1234567890123456']) {
      replies.push(await rawRequest(running.url, { method: 'PUT', path: chunkAt(offset), headers: await signed('PUT', chunkAt(offset), chunk, 'sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:'), body: chunk }));
    }
    expect(replies.map((reply) => [reply?.status, codeOf(reply)])).toEqual(replies.map(() => [400, 'bad-request']));
    expect(log.filter((line) => /internal error|\n\s+at /.test(line))).toEqual([]);
  });

  it('answers only to IP literals, localhost, <id>.local and --host-name names (421 unknown-host otherwise)', async () => {
    const { running } = await agent({ hostNames: ['sensor-7.plant.lan'] });
    const port = running.port;
    const host = async (name: string) => (await rawRequest(running.url, { method: 'GET', path: '/fieldflash/v1/device', headers: { Host: name } }))?.status;
    expect(await host(`127.0.0.1:${port}`)).toBe(200);
    expect(await host(`[::1]:${port}`)).toBe(200);
    expect(await host(`localhost:${port}`)).toBe(200);
    expect(await host(`${running.device.id}.local:${port}`)).toBe(200);
    expect(await host(`SENSOR-7.plant.lan.:${port}`)).toBe(200);
    expect(await host(`rebind.attacker.example:${port}`)).toBe(421);
    expect(await host('2130706433')).toBe(421);
    const refused = await rawRequest(running.url, { method: 'GET', path: '/fieldflash/v1/device', headers: { Host: 'rebind.attacker.example' } });
    expect(codeOf(refused)).toBe('unknown-host');
    expect(refused?.headers['access-control-allow-origin']).toBeUndefined();
  });
});
