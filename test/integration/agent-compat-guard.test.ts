// The compatibility endpoints (--compat) against a stranger on the network and a web page: credentials before the
// body, no foreign origins, no CORS, the offer's checks for ESP app images, and the owner's hold and pending image
// respected. Judged on the agent's slots and its device document.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { writeAppImage } from '@fieldflash/bundle';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { acceptableOffer, makeImage, Probe } from '../../packages/conformance/src/probe.ts';
import { deviceDir, diskState, PASSWORD } from './agent-support.ts';

const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function compatAgent(options: Partial<Parameters<typeof startAgent>[0]> = {}) {
  const dir = deviceDir();
  const running = await startAgent({ dir, password: PASSWORD, compat: true, webrtc: false, log: () => {}, ...options });
  agents.push(running);
  return { running, dir, probe: new Probe(running.url, PASSWORD) };
}

const basic = (user: string, password = PASSWORD) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

async function upload(url: string, bytes: Uint8Array, headers: Record<string, string>) {
  const body = new FormData();
  body.append('update', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'firmware.bin');
  const reply = await fetch(`${url}/update`, { method: 'POST', headers, body });
  return { status: reply.status, text: await reply.text(), headers: reply.headers };
}

const espImage = (change: { chipFamily?: 'ESP32' | 'ESP32-S3'; projectName?: string; secureVersion?: number } = {}) =>
  writeAppImage({ chipFamily: change.chipFamily ?? 'ESP32', projectName: change.projectName ?? 'demo-sensor', version: '2.0.0', secureVersion: change.secureVersion ?? 0, payload: makeImage(50_000).bytes });

describe('compatibility endpoints under attack', () => {
  it('refuses an upload without credentials from its head alone, before a byte of the body', async () => {
    const { running } = await compatAgent();
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(running.port, '127.0.0.1', () => {
        // 5 MB announced, none sent: the refusal must come anyway, and the connection close.
        socket.write('POST /update HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 5000000\r\n\r\n');
      });
      let text = '';
      socket.on('data', (data) => (text += data.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 401 /);
    expect(reply).toMatch(/\r\nWWW-Authenticate: Basic realm="FieldFlash device"/i);
    expect(reply).not.toMatch(/Access-Control-Allow-Origin/i);
  });

  it('takes the pairing password for the configured user only, and nothing from a page of another origin', async () => {
    const { running, dir } = await compatAgent({ compatUser: 'ota' });
    const image = makeImage(20_000).bytes;
    expect((await upload(running.url, image, {})).status).toBe(401);
    expect((await upload(running.url, image, basic('admin'))).status).toBe(401);
    expect((await upload(running.url, image, basic('ota', 'guess'))).status).toBe(401);
    const page = await upload(running.url, image, { ...basic('ota'), Origin: 'https://attacker.example' });
    expect(page.status).toBe(403);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(diskState(dir).journal.slots.b).toEqual({ state: 'empty' });
    const accepted = await upload(running.url, image, basic('ota'));
    expect(accepted.text).toBe('Update Successful!');
    expect(accepted.headers.get('access-control-allow-origin')).toBeNull();
    await running.boot.settled();
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'active', sha256: createHash('sha256').update(image).digest('hex') });
  });

  it('gives an ESP app image the checks of an offer: chip, product and security version from the image itself', async () => {
    const { running, dir, probe } = await compatAgent({ securityVersion: 1 });
    const before = diskState(dir).journal;
    for (const refused of [await espImage({ chipFamily: 'ESP32-S3', secureVersion: 1 }), await espImage({ projectName: 'garage-door', secureVersion: 1 }), await espImage({ secureVersion: 0 })]) {
      expect((await upload(running.url, refused, basic('admin'))).text).toBe('Update Failed!');
    }
    expect(diskState(dir).journal.slots).toEqual(before.slots);
    const good = await espImage({ secureVersion: 2 });
    expect((await upload(running.url, good, basic('admin'))).text).toBe('Update Successful!');
    await running.boot.settled();
    const doc = await probe.device();
    expect(doc.lastUpdate).toMatchObject({ sha256: createHash('sha256').update(good).digest('hex'), outcome: 'confirmed' });
    expect(doc.securityVersion).toBe(2);
    expect(doc.counterSources?.securityVersion).toBe('image');
    // As a real device running that firmware would, it now reports the version the app descriptor names.
    expect(doc.version).toBe('2.0.0');
  });

  it('admits the pages of a web app named with --compat-origin: its preflight is granted and its replies readable; other pages stay refused', async () => {
    const app = 'http://127.0.0.1:4173';
    const { running, dir } = await compatAgent({ compatOrigins: [app] });
    const preflight = (origin: string) =>
      fetch(`${running.url}/update`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } });
    const granted = await preflight(app);
    expect(granted.status).toBe(204);
    expect(granted.headers.get('access-control-allow-origin')).toBe(app);
    expect(granted.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    const stranger = await preflight('https://attacker.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    const image = makeImage(20_000).bytes;
    const wrong = await upload(running.url, image, { ...basic('admin', 'guess'), Origin: app });
    expect([wrong.status, wrong.headers.get('access-control-allow-origin')]).toEqual([401, app]);
    const page = await upload(running.url, image, { ...basic('admin'), Origin: 'https://attacker.example' });
    expect([page.status, page.headers.get('access-control-allow-origin')]).toEqual([403, null]);
    expect(diskState(dir).journal.slots.b).toEqual({ state: 'empty' });
    const accepted = await upload(running.url, image, { ...basic('admin'), Origin: app });
    expect([accepted.text, accepted.headers.get('access-control-allow-origin')]).toEqual(['Update Successful!', app]);
    await running.boot.settled();
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'active', sha256: createHash('sha256').update(image).digest('hex') });
  });

  it('waits for the owner: refused while another client holds the device, and while its committed image waits for the reboot', async () => {
    const { running, dir, probe } = await compatAgent();
    const owner = await probe.login('owner');
    const doc = await probe.device();
    const image = makeImage(3 * doc.chunk.size);
    expect((await owner.request('POST', 'updates', acceptableOffer(doc, image))).status).toBe(200);
    await owner.sendFrom({ ...image, bytes: image.bytes.subarray(0, doc.chunk.size) }, 0, doc.chunk.size);
    expect((await upload(running.url, await espImage(), basic('admin'))).text).toBe('Update Failed!');
    expect(running.boot.rebooting).toBe(false);
    expect(((await owner.request('GET', `updates/${image.sha256}`)).body as { offset: number }).offset).toBe(doc.chunk.size);
    await owner.sendFrom(image, doc.chunk.size, doc.chunk.size);
    expect((await owner.request('POST', `updates/${image.sha256}/commit`, {})).status).toBe(200);
    expect((await upload(running.url, await espImage(), basic('admin'))).text).toBe('Update Failed!');
    expect(running.boot.rebooting).toBe(false);
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'pending', sha256: image.sha256 });
  });
});
