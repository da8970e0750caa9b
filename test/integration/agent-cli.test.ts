// `npm run agent` as a program: it names the device and its address when it starts, and says what to change when
// it cannot.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authenticate, DeviceUpdate, isPairingCode, PairingKeys, parsePairingLink } from '@fieldflash/protocol';
import { NodeHttpTransport } from '@fieldflash/protocol/node';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceDir, PASSWORD, release, testImage } from './agent-support.ts';

const CLI = fileURLToPath(new URL('../../packages/agent/src/cli.ts', import.meta.url));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** The agent's environment without any pairing secret the test runner may have. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!extra.FIELDFLASH_PAIRING_SECRET) delete env.FIELDFLASH_PAIRING_SECRET;
  return env;
}

function run(...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

/** Starts the agent and returns what it printed up to the line `until` matches, and its URL. */
function start(until: RegExp, args: string[], env = cleanEnv()): Promise<{ out: string; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
      if (url && until.test(out)) resolve({ out, url });
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
  });
}

async function logsIn(url: string, secret: string): Promise<boolean> {
  const http = new NodeHttpTransport({ url, clientId: 'cli-test' });
  try {
    await authenticate(http, new PairingKeys(secret), 'cli-test');
    return true;
  } catch {
    return false;
  } finally {
    http.close();
  }
}

describe('agent command line', () => {
  it('says what is missing or wrong in its arguments', async () => {
    const noDir = await run('--password', PASSWORD);
    expect(noDir.code).toBe(2);
    expect(noDir.out).toContain('--dir: say where the device keeps its state');
    const badVersion = await run('--dir', deviceDir(), '--password', PASSWORD, '--version', 'latest');
    expect(badVersion.code).toBe(2);
    expect(badVersion.out).toContain('--version: "latest" is not a SemVer version');
    const badOrigin = await run('--dir', deviceDir(), '--password', PASSWORD, '--compat', '--compat-origin', 'http://127.0.0.1:4173/');
    expect(badOrigin.code).toBe(2);
    expect(badOrigin.out).toContain('--compat-origin: "http://127.0.0.1:4173/" is not a web origin like https://fieldflash.example (scheme, host and port only)');
    const originAlone = await run('--dir', deviceDir(), '--password', PASSWORD, '--compat-origin', 'http://127.0.0.1:4173');
    expect(originAlone.code).toBe(2);
    expect(originAlone.out).toContain('--compat-origin goes with --compat');
  }, 30_000);

  it('says which port is taken and what to do', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const taken = await run('--dir', deviceDir(), '--password', PASSWORD, '--port', String(port));
      expect(taken.code).toBe(1);
      expect(taken.out).toContain(`127.0.0.1:${port} is already in use. Pick another --port`);
    } finally {
      busy.close();
    }
  }, 30_000);

  it('a new device given no secret prints a pairing code and its link once, keeps only the key, and the code logs in after a restart', async () => {
    const dir = deviceDir();
    const first = await start(/Pairing link.*\n/, ['--dir', dir]);
    const code = /Pairing code: (\S+)/.exec(first.out)![1]!;
    expect(isPairingCode(code)).toBe(true);
    const link = parsePairingLink(/Pairing link for the label's QR code: (\S+)/.exec(first.out)![1]!);
    expect(link).toEqual({ device: first.url, code });
    expect(statSync(join(dir, 'auth.json')).mode & 0o777).toBe(0o600);
    running.pop()!.kill('SIGKILL');
    const again = await start(/listening on .*\n/, ['--dir', dir]);
    expect(again.out).not.toContain('Pairing code');
    expect(again.out).not.toContain(code);
    expect(await logsIn(again.url, code.toLowerCase().replace(/-/g, ' '))).toBe(true);
    expect(await logsIn(again.url, PASSWORD)).toBe(false);
  }, 60_000);

  it('refuses a weak chosen password unless told to accept it, and warns that --password shows in ps', async () => {
    const weak = await run('--dir', deviceDir(), '--password', 'demo');
    expect(weak.code).toBe(2);
    expect(weak.out).toContain('The pairing password is too weak (about 18 bits');
    const demo = await start(/listening on .*\n/, ['--dir', deviceDir(), '--password', 'demo', '--allow-weak-password']);
    expect(demo.out).toMatch(/warning: --password is visible to anyone who can list processes \(ps\)/);
    expect(demo.out).toMatch(/warning: The pairing password is weak/);
    expect(await logsIn(demo.url, 'demo')).toBe(true);
    const fromEnv = await start(/listening on .*\n/, ['--dir', deviceDir()], cleanEnv({ FIELDFLASH_PAIRING_SECRET: PASSWORD }));
    expect(fromEnv.out).not.toContain('warning');
    expect(await logsIn(fromEnv.url, PASSWORD)).toBe(true);
  }, 60_000);

  it('started with the secret in its environment, gives its install hook and health check an environment without it', async () => {
    const dir = deviceDir();
    const hookEnv = join(dir, 'install-hook.env');
    const checkEnv = join(dir, 'health-check.env');
    const agent = await start(/listening on .*\n/, ['--dir', dir, '--install-hook', `env > ${hookEnv}`, '--health-check', `env > ${checkEnv}`], cleanEnv({ FIELDFLASH_PAIRING_SECRET: PASSWORD }));
    const image = testImage(100_000);
    const verdict = await new DeviceUpdate({ url: agent.url, password: PASSWORD, clientId: 'cli-hooks', release: release('1.1.0'), image: image.source, httpTransport: (target) => new NodeHttpTransport(target) }).run();
    expect(verdict.outcome).toBe('confirmed');
    for (const file of [hookEnv, checkEnv]) {
      const env = readFileSync(file, 'utf8');
      expect(env).toContain('FIELDFLASH_IMAGE=');
      expect(env).not.toContain('FIELDFLASH_PAIRING_SECRET');
      expect(env).not.toContain(PASSWORD);
    }
  }, 60_000);
});
