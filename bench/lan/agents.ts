// Starting benchmark agents as child processes, and reading the peak of their memory while they receive.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../packages/agent/src/index.ts';

export interface MemoryPeak {
  /** Peak heap + external memory above the lowest live figure, as found: garbage not yet collected included. */
  found: number;
  /** The same sampled right after a forced GC: what the agent holds. */
  live: number;
  /** How many samples the agent took (its event loop runs them between requests). */
  samples: number;
  /** The lowest heap + external after a GC during the measurement, the figure the peaks are measured from. */
  base: number;
}

export class BenchAgent {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** `maxImageSize`: the default 16 MiB, or more for the page's 64 MiB memory row. */
  static async start(password: string, chunk = { size: DEFAULTS.chunkSize, window: DEFAULTS.window }, maxImageSize = DEFAULTS.maxImageSize): Promise<BenchAgent> {
    const dir = mkdtempSync(join(tmpdir(), 'fieldflash-bench-agent-'));
    const args = [dir, password, String(chunk.size), String(chunk.window), String(maxImageSize)];
    const child = fork(fileURLToPath(new URL('./agent-process.ts', import.meta.url)), args, {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [hello] = (await once(child, 'message')) as [{ url: string }];
    return new BenchAgent(child, hello.url);
  }

  /** Runs `work` while the agent samples its memory. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; memory: MemoryPeak }> {
    this.child.send('mem-start');
    await once(this.child, 'message');
    const result = await work();
    this.child.send('mem-stop');
    const [memory] = (await once(this.child, 'message')) as [MemoryPeak];
    return { result, memory };
  }

  /** The URL of a proxy in front of this agent that carries at most `kibPerSecond` through all its connections. */
  async linkLimited(kibPerSecond: number): Promise<string> {
    this.child.send({ linkKiBps: kibPerSecond });
    const [reply] = (await once(this.child, 'message')) as [{ url: string }];
    return reply.url;
  }

  async close(): Promise<void> {
    this.child.send('close');
    await once(this.child, 'exit');
  }
}
