// `npm run push` of a signed release zip to an agent process started with --trusted-keys: the signature travels with
// the offer by itself, the device confirms the image after its reboot, and an unsigned zip is refused in words.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentProcess, deviceDir, diskState, PASSWORD, spawnAgent } from './agent-support.ts';
import { publisherKey, releaseZip, trustedKeysDir } from './signed-release-support.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const running: AgentProcess[] = [];
afterEach(async () => {
  for (const agent of running.splice(0)) {
    agent.child.kill('SIGKILL');
    await agent.exited;
  }
});

function push(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, FIELDFLASH_PAIRING_SECRET: PASSWORD };
  return new Promise((resolve) => {
    execFile(join(root, 'node_modules/.bin/tsx'), ['packages/protocol/src/node/push.ts', ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('npm run push to a device that installs signed releases only', () => {
  it('sends the signature with a signed zip; the device confirms the image after its reboot, counters from the signed manifest', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const agent = await spawnAgent(dir, 0, ['--trusted-keys', trustedKeysDir(dir, key), '--version', '1.0.0', '--sequence', '4']);
    running.push(agent);
    const zip = await releaseZip(join(dir, 'release'), { version: '1.3.0', sequence: 7, securityVersion: 1, signedBy: key });

    const run = await push(agent.url, zip.path);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('confirmed: demo-sensor 1.3.0 in slot b');
    const { journal, slotsMatch } = diskState(dir);
    expect(slotsMatch).toBe(true);
    expect(journal.active).toBe('b');
    expect(sha256(readFileSync(join(dir, 'slots', 'b.img')))).toBe(sha256(zip.images[1]!));
    expect(journal.slots.a).toMatchObject({ state: 'confirmed', version: '1.0.0' });
    expect(journal.slots.b).toMatchObject({ state: 'active', version: '1.3.0', sequence: 7, securityVersion: 1, counterSources: { sequence: 'signed-manifest', securityVersion: 'image' } });
    expect(journal.lastUpdate).toMatchObject({ outcome: 'confirmed', version: '1.3.0' });
  }, 60_000);

  it('an unsigned zip is refused by the device, in its words, with exit code 2 and nothing written', async () => {
    const dir = deviceDir();
    const key = await publisherKey();
    const agent = await spawnAgent(dir, 0, ['--trusted-keys', trustedKeysDir(dir, key)]);
    running.push(agent);
    const zip = await releaseZip(join(dir, 'release'), { version: '1.3.0' });
    const before = diskState(dir).journal.generation;

    const run = await push(agent.url, zip.path);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^refused \(signature-required\): This device installs signed releases only/);
    expect(diskState(dir).journal.generation).toBe(before);
  }, 60_000);
});
