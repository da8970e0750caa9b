// Fuzzes the MicroPython agent (agents/micropython, behind its Node bridge as `npm run agent:micropython` runs it) with
// mutated protocol messages and chunk sequences: a specific refusal for each, no crash, no hang, no slot changed.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceDir, PASSWORD } from '../integration/agent-support.ts';
import { fuzzAgent } from './agent-fuzz.support.ts';
import { microPythonFiles } from './agent-runner.ts';
import { cases, FULL } from './fuzz-size.ts';

const CLI = fileURLToPath(new URL('../../agents/micropython/bridge/cli.ts', import.meta.url));
const CASES = cases(200, 20_000);
let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

function start(dir: string): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', CLI, '--dir', dir, '--port', '0', '--session-ttl', '86400', '--version', '1.2.0', '--sequence', '3', '--security-version', '1'], {
    env: { ...process.env, FIELDFLASH_PAIRING_SECRET: PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child!.once('exit', (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
  });
}

describe('fuzzing the MicroPython agent', () => {
  it(`answers ${CASES} mutated message sequences with specific refusals, and keeps its slots`, async () => {
    const dir = deviceDir();
    const url = await start(dir);
    const running = () => child!.exitCode === null && child!.signalCode === null;
    const tally = await fuzzAgent({ name: 'MicroPython agent', url, dir, activeFiles: (doc) => microPythonFiles.activeFiles(dir, doc), stateFiles: () => microPythonFiles.stateFiles(dir), running }, PASSWORD, CASES, 20_000);
    expect(tally.failures).toEqual([]);
  }, FULL ? 7_200_000 : 120_000);
});
