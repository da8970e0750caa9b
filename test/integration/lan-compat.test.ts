// The compatibility uploaders (ESPHome, ElegantOTA) against the reference agent's compatibility endpoints on
// 127.0.0.1, and `npm run push -- --compat` as a person runs it: the image ends up in the inactive slot byte for
// byte, progress counts the bytes as they leave, the verdict is the version the device reports after its reboot, and
// a wrong password is refused before anything is installed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pseudoRandomBytes, writeAppImage } from '@fieldflash/bundle';
import {
  CompatRefusal, type CompatProgress, type CompatSend, deviceDocumentVersion, fetchSend, md5OfBlob, pushCompat, type CompatKind,
} from '@fieldflash/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeSend } from '../../packages/protocol/src/node/compat-node-send.ts';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { deviceDir, diskState, PASSWORD } from './agent-support.ts';
import { writeTestBundle } from './lan-support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

async function compatAgent(dir: string, extra: { healthCheck?: string } = {}): Promise<RunningAgent> {
  const agent = await startAgent({ dir, password: PASSWORD, compat: true, version: '1.0.0', log: () => {}, ...extra });
  agents.push(agent);
  return agent;
}

/** An ESP32 app image of the agent's default product (demo-sensor), naming `version` in its app descriptor. */
async function appImage(version: string, payload = 1_200_000): Promise<Uint8Array> {
  return writeAppImage({ chipFamily: 'ESP32', projectName: 'demo-sensor', version, secureVersion: 0, flashSizeMiB: 4, payload: pseudoRandomBytes(payload, 3) });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function push(kind: CompatKind, agent: RunningAgent, image: Uint8Array, options: { password?: string; send?: CompatSend; version?: string } = {}) {
  const progress: CompatProgress[] = [];
  const result = await pushCompat({
    kind,
    url: agent.url,
    user: 'admin',
    password: options.password ?? PASSWORD,
    image: new Blob([image as Uint8Array<ArrayBuffer>]),
    version: options.version ?? '1.1.0',
    send: options.send ?? nodeSend(),
    readVersion: deviceDocumentVersion(agent.url),
    onProgress: (p) => progress.push(p),
  });
  return { result, progress };
}

describe('compatibility uploads', () => {
  for (const kind of ['esphome', 'elegantota'] as const) {
    it(`${kind}: the image lands in slot b, progress counts bytes sent, and the device comes back reporting the new version`, async () => {
      const dir = deviceDir();
      const agent = await compatAgent(dir);
      const image = await appImage('1.1.0');
      const { result, progress } = await push(kind, agent, image);
      expect(result).toMatchObject({ outcome: 'new-version', version: '1.1.0', before: '1.0.0', sentBytes: image.length });
      const { journal, slotsMatch } = diskState(dir);
      expect(slotsMatch).toBe(true);
      expect(journal.active).toBe('b');
      expect(sha256(readFileSync(join(dir, 'slots', 'b.img')))).toBe(sha256(image));

      const sending = progress.filter((p) => p.phase === 'sending').map((p) => p.sentBytes);
      expect(sending.length).toBeGreaterThan(5);
      expect(sending).toEqual([...sending].sort((a, b) => a - b));
      expect(sending.at(-1)).toBe(image.length);
      expect(progress.at(-1)).toMatchObject({ phase: 'waiting' });
      if (kind === 'elegantota') expect(progress.some((p) => p.phase === 'hashing')).toBe(true);
    });
  }

  it('fetch as the sender (what a page without XMLHttpRequest uses) gives the same result', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const image = await appImage('1.2.0', 200_000);
    const { result, progress } = await push('esphome', agent, image, { send: fetchSend(), version: '1.2.0' });
    expect(result).toMatchObject({ outcome: 'new-version', version: '1.2.0' });
    expect(progress.filter((p) => p.phase === 'sending').at(-1)?.sentBytes).toBe(image.length);
    expect(diskState(dir).journal.slots.b).toMatchObject({ state: 'active', sha256: sha256(image) });
  });

  it('a device whose health check fails comes back with the old version, and the verdict says so', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir, { healthCheck: 'exit 3' });
    const { result } = await push('esphome', agent, await appImage('1.1.0', 100_000));
    expect(result.outcome).toBe('old-version');
    expect(result.version).toBe('1.0.0');
    expect(result.reason).toBe('The device came back reporting 1.0.0, not 1.1.0: it refused the image after the upload, or went back to its previous firmware.');
  });

  for (const kind of ['esphome', 'elegantota'] as const) {
    it(`${kind}: a wrong password is refused in words, while the body is still on its way, and no slot changes`, async () => {
      const dir = deviceDir();
      const agent = await compatAgent(dir);
      const before = diskState(dir).journal.slots;
      const error = await push(kind, agent, await appImage('1.1.0', 4_000_000), { password: `${PASSWORD}-not` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CompatRefusal);
      expect((error as CompatRefusal).code).toBe('wrong-credentials');
      expect((error as CompatRefusal).message).toBe(`The device at ${new URL(agent.url).host} refused the user name or password (HTTP 401); nothing was installed.`);
      expect(diskState(dir).journal.slots).toEqual(before);
    });
  }

  it('an ElegantOTA start with the MD5 of other bytes is refused at the end, with the device\'s reason', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const image = await appImage('1.1.0', 50_000);
    // A sender that announces the MD5 of other bytes: what a corrupted upload looks like to the device.
    const send = nodeSend();
    const wrongMd5 = await md5OfBlob(new Blob(['other bytes']));
    const tampering: CompatSend = (request) => send(request.url.includes('/ota/start') ? { ...request, url: request.url.replace(/hash=[0-9a-f]+/, `hash=${wrongMd5}`) } : request);
    const error = await push('elegantota', agent, image, { send: tampering }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CompatRefusal);
    expect((error as Error).message).toMatch(/^The device at 127\.0\.0\.1:\d+ did not install the image: MD5 mismatch: expected [0-9a-f]{32}, received [0-9a-f]{32}\.$/);
    expect(diskState(dir).journal.slots.b.state).toBe('empty');
  });

  it('md5OfBlob agrees with node:crypto across its slices', async () => {
    const bytes = pseudoRandomBytes(3 * 1024 * 1024 + 17, 9);
    expect(await md5OfBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]))).toBe(createHash('md5').update(bytes).digest('hex'));
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function pushCommand(...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.FIELDFLASH_PAIRING_SECRET;
  return new Promise((resolve) => {
    execFile(join(root, 'node_modules/.bin/tsx'), ['packages/protocol/src/node/push.ts', ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('npm run push -- --compat', () => {
  it('pushes a release zip over ElegantOTA with the password from a file and ends with the version the device reports', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const bundle = await writeTestBundle(dir, { version: '1.4.0', perSlot: false, securityVersion: 0 });
    const secretFile = join(dir, 'password');
    writeFileSync(secretFile, `${PASSWORD}\n`);
    const run = await pushCommand(agent.url, bundle.path, '--compat', 'elegantota', '--password-file', secretFile);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('no resume (a broken upload starts again from its first byte), no slot information, no rollback report');
    expect(run.stdout).toContain(`sending demo-sensor 1.4.0 (ota/app.bin) to ${agent.url} as ElegantOTA takes it\n`);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('new version: the device came back reporting 1.4.0');
    expect(run.code).toBe(0);
    expect(sha256(readFileSync(join(dir, 'slots', 'b.img')))).toBe(sha256(bundle.images[0]!));
  });

  it('says a wrong password was refused, with exit code 2', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const bundle = await writeTestBundle(dir, { version: '1.4.0', perSlot: false, securityVersion: 0 });
    const secretFile = join(dir, 'password');
    writeFileSync(secretFile, 'not the password at all\n');
    const run = await pushCommand(agent.url, bundle.path, '--compat', 'esphome', '--password-file', secretFile);
    expect(run.stderr).toBe(`refused (wrong-credentials): The device at ${new URL(agent.url).host} refused the user name or password (HTTP 401); nothing was installed.\n`);
    expect(run.code).toBe(2);
  });

  it('says why a release linking one image per slot cannot go to a device that does not say which slot is free', async () => {
    const dir = deviceDir();
    const agent = await compatAgent(dir);
    const bundle = await writeTestBundle(dir, { version: '1.4.0', perSlot: true });
    const run = await pushCommand(agent.url, bundle.path, '--compat', 'esphome');
    expect(run.stderr).toBe('failed: demo-sensor 1.4.0 links one image per slot, and a device in compatibility mode does not say which slot is free.\n');
    expect(run.code).toBe(3);
  });

  it('refuses protocol-only flags and an unknown system before reading anything', async () => {
    const bad = await pushCommand('http://127.0.0.1:1', 'x.zip', '--compat', 'arduino');
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([64, '--compat must be esphome or elegantota, not arduino.']);
    const force = await pushCommand('http://127.0.0.1:1', 'x.zip', '--compat', 'esphome', '--force');
    expect([force.code, force.stderr.split('\n')[0]]).toEqual([64, '--force needs the FieldFlash protocol; a device in compatibility mode takes none of it.']);
  });
});
