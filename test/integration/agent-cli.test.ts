// `npm run agent` as a program: it names the device and its address when it starts, and says what to change when
// it cannot.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deviceDir, PASSWORD } from './agent-support.ts';

const CLI = fileURLToPath(new URL('../../packages/agent/src/cli.ts', import.meta.url));

function run(...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

describe('agent command line', () => {
  it('says what is missing or wrong in its arguments', async () => {
    const noDir = await run('--password', PASSWORD);
    expect(noDir.code).toBe(2);
    expect(noDir.out).toContain('--dir: say where the device keeps its state');
    const badVersion = await run('--dir', deviceDir(), '--password', PASSWORD, '--version', 'latest');
    expect(badVersion.code).toBe(2);
    expect(badVersion.out).toContain('--version: "latest" is not a SemVer version');
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
});
