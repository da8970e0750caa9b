// `npm run push` as a person runs it: a child process against the reference agent on 127.0.0.1, with real release
// zips. The last line and the exit code name the device's verdict; the slot holds the image meant for it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../packages/agent/src/index.ts';
import { deviceDir, PASSWORD } from './agent-support.ts';
import { writeTestBundle } from './lan-support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs push with `secret` in FIELDFLASH_PAIRING_SECRET (none when undefined). */
function pushWith(secret: string | undefined, ...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.FIELDFLASH_PAIRING_SECRET;
  if (secret !== undefined) env.FIELDFLASH_PAIRING_SECRET = secret;
  return new Promise((resolve) => {
    execFile(join(root, 'node_modules/.bin/tsx'), ['packages/protocol/src/node/push.ts', ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const push = (...args: string[]) => pushWith(PASSWORD, ...args);
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const slotSha256 = (dir: string, slot: string) => sha256(readFileSync(join(dir, 'slots', `${slot}.img`)));

async function agentAt(dir: string, extra: { version?: string; healthCheck?: string } = {}): Promise<RunningAgent> {
  const agent = await startAgent({ dir, password: PASSWORD, version: '1.0.0', log: () => {}, ...extra });
  agents.push(agent);
  return agent;
}

describe('npm run push', () => {
  it('sends the slot1 image of a slot0/slot1 release to the inactive slot b, and ends with the confirmed state', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const bundle = await writeTestBundle(dir, { version: '1.3.0' });
    const secretFile = join(dir, 'pairing-secret');
    writeFileSync(secretFile, `${PASSWORD}\n`);
    const run = await pushWith(undefined, agent.url, bundle.path, '--password-file', secretFile);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sending demo-sensor 1.3.0 (ota/slot0.bin or ota/slot1.bin');
    expect(lastLine(run.stdout)).toBe('confirmed: demo-sensor 1.3.0 in slot b');
    expect(slotSha256(dir, 'b')).toBe(sha256(bundle.images[1]!));
  });

  it('over WebRTC with a throttle, a one-image release goes to slot b as well', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const bundle = await writeTestBundle(dir, { version: '1.4.0', perSlot: false, payload: 300_000 });
    const run = await push(agent.url, bundle.path, '--transport', 'webrtc', '--throttle', '4096');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('opening the WebRTC link');
    expect(lastLine(run.stdout)).toBe('confirmed: demo-sensor 1.4.0 in slot b');
    expect(slotSha256(dir, 'b')).toBe(sha256(bundle.images[0]!));
  });

  it('names the rollback and its reason, with exit code 1', async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir, { healthCheck: 'exit 3' });
    const bundle = await writeTestBundle(dir, { version: '1.3.0' });
    const run = await push(agent.url, bundle.path);
    expect(run.code).toBe(1);
    expect(lastLine(run.stdout)).toMatch(/^rolled back: demo-sensor 1\.3\.0 in slot b did not pass its test boot \(.*3.*\); the device runs 1\.0\.0 in slot a$/);
  });

  it("prints the device's refusal with exit code 2, then downgrades with --force", async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir, { version: '2.0.0' });
    const bundle = await writeTestBundle(dir, { version: '1.3.0' });
    const refused = await push(agent.url, bundle.path);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('refused (downgrade): The device runs 2.0.0; 1.3.0 is older. Send with force to downgrade.\n');
    const wrongPassword = await pushWith('not the password', agent.url, bundle.path);
    expect(wrongPassword.code).toBe(2);
    expect(wrongPassword.stderr).toMatch(/^refused \(bad-proof\): /);
    // On the command line it still works, for demos, with a warning that ps shows it.
    const forced = await pushWith(undefined, agent.url, bundle.path, '--password', PASSWORD, '--force');
    expect(forced.stderr).toMatch(/^warning: --password is visible to anyone who can list processes \(ps\)/);
    expect(lastLine(forced.stdout)).toBe('confirmed: demo-sensor 1.3.0 in slot b');
  });

  it("refuses a release whose appliesTo range leaves out the device's version, before a byte is sent", async () => {
    const dir = deviceDir();
    const agent = await agentAt(dir);
    const bundle = await writeTestBundle(dir, { version: '2.0.0', appliesTo: '>=1.2.0 <2.0.0' });
    const run = await push(agent.url, bundle.path);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('failed: demo-sensor 2.0.0 applies to devices running >=1.2.0 <2.0.0; this one runs 1.0.0.\n');
    expect(run.stdout).not.toContain('sending');
    // The device heard nothing of it: no upload begun, slot b still empty, no update recorded.
    expect(readdirSync(join(dir, 'uploads'))).toEqual([]);
    const document = await (await fetch(new URL('/fieldflash/v1/device', agent.url))).json();
    expect(document.slots[1]).toMatchObject({ name: 'b', state: 'empty' });
    expect(document.lastUpdate).toBeUndefined();
    const applies = await writeTestBundle(dir, { version: '1.3.0', appliesTo: '>=1.0.0 <2.0.0' });
    const sent = await push(agent.url, applies.path);
    expect(lastLine(sent.stdout)).toBe('confirmed: demo-sensor 1.3.0 in slot b');
  });

  it('explains wrong arguments and an unreachable device', async () => {
    const usage = await pushWith(undefined, 'http://127.0.0.1:9', 'missing.zip');
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/^Give the device's pairing code or password with --password-file FILE or FIELDFLASH_PAIRING_SECRET/);
    const dir = deviceDir();
    const bundle = await writeTestBundle(dir, { version: '1.3.0' });
    const unreachable = await push('http://127.0.0.1:9', bundle.path);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/^failed: The device at 127\.0\.0\.1:9 did not answer/);
  });
});
