// `npm run conformance` against the MicroPython agent, running in the MicroPython interpreter behind the Node bridge
// (`npm run agent:micropython`): every check passes; the skipped ones are WebRTC, the compatibility uploads and
// scheduled reboots, which the MicroPython agent does not offer.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../packages/conformance/src/index.ts';
import { deviceDir, PASSWORD } from './agent-support.ts';

const AGENT = fileURLToPath(new URL('../../agents/micropython/bridge/cli.ts', import.meta.url));
const SUITE = fileURLToPath(new URL('../../packages/conformance/src/cli.ts', import.meta.url));
const withSecret = { ...process.env, FIELDFLASH_PAIRING_SECRET: PASSWORD };
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startAgent(...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', AGENT, '--dir', deviceDir(), '--port', '0', ...args], { env: withSecret, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
  });
}

function runSuite(url: string): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SUITE, url], { env: withSecret, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, lines: out.trim().split('\n') })));
}

describe('conformance of the MicroPython agent', () => {
  it('passes every check it does not skip, with test hooks; skips only WebRTC, compatibility uploads, scheduled reboots and signed releases', async () => {
    const url = await startAgent('--test-hooks', '--version', '1.2.0', '--sequence', '3', '--security-version', '1');
    const { code, lines } = await runSuite(url);
    process.stdout.write(`MicroPython agent: ${lines.at(-1)}\n`);
    const failures = lines.flatMap((line, i) => (/ FAIL /.test(line) ? [`${line.trim()} — ${lines[i + 1]?.trim() ?? ''}`] : []));
    expect(failures, failures.join('\n')).toEqual([]);
    // Each skip comes with its reason on the next line: only capabilities the agent does not list.
    const reasons = lines.flatMap((line, i) => (/ skip /.test(line) ? [lines[i + 1]!.trim()] : []));
    for (const reason of reasons) expect(reason).toMatch(/capability (webrtc|compat-esphome|scheduled-reboot|signed-releases)$/);
    expect(lines.at(-1)).toBe(`${CHECKS.length - reasons.length} passed, 0 failed`);
    expect(code).toBe(0);
  }, 180_000);
});
