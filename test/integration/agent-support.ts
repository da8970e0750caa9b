// Helpers shared by the agent integration tests: images, a fresh device directory, what is on its disk, and the agent
// started as a process.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesImage, type ImageSource, type ReleaseFacts } from '@fieldflash/protocol';
import { readJournal, type Journal } from '../../packages/agent/src/index.ts';

export const PASSWORD = 'correct horse battery staple';

export function deviceDir(): string {
  return mkdtempSync(join(tmpdir(), 'fieldflash-agent-'));
}

export interface TestImage {
  bytes: Uint8Array;
  sha256: string;
  source: ImageSource;
}

export function testImage(size: number): TestImage {
  const bytes = new Uint8Array(randomBytes(size));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, source: bytesImage(bytes, sha256) };
}

export function release(version: string, extra: Partial<ReleaseFacts> = {}): ReleaseFacts {
  return { version, chipFamily: 'ESP32', board: 'devkitc-v4', hardwareRevision: '1.0', sequence: 2, securityVersion: 1, ...extra };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The journal on disk, and a check that every filled slot's bytes hash to what the journal records. */
export function diskState(dir: string): { journal: Journal; slotsMatch: boolean } {
  const journal = readJournal(dir)!;
  let slotsMatch = true;
  for (const name of ['a', 'b'] as const) {
    const record = journal.slots[name];
    if (record.state !== 'empty' && sha256File(join(dir, 'slots', `${name}.img`)) !== record.sha256) slotsMatch = false;
  }
  return { journal, slotsMatch };
}

const CLI = fileURLToPath(new URL('../../packages/agent/src/cli.ts', import.meta.url));

/** The reference agent running as a process of its own, as a device would: kill -9 is a real power cut. */
export interface AgentProcess {
  child: ChildProcess;
  url: string;
  port: number;
  exited: Promise<void>;
}

/**
 * Starts `npm run agent`'s program on `dir` and `port` with PASSWORD and no WebRTC, plus `args`; resolves once it
 * listens. The caller ends the child (SIGKILL) when its test is over.
 */
export function spawnAgent(dir: string, port: number, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<AgentProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--dir', dir, '--port', String(port), '--password', PASSWORD, '--no-webrtc', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (match) resolve({ child, url: match[1]!, port: Number(match[2]), exited });
    });
    void exited.then(() => reject(new Error(`agent exited before listening: ${out}`)));
  });
}
