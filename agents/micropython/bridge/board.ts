// The simulated ESP32 that runs the MicroPython agent, seen from the bridge: each power-on is a worker thread
// (board-worker.ts) over the same files in DIR, and a reset ends it and starts another, as a power cycle does.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromBoard, ToBoard, WorkerStart } from './board-worker.ts';

/** The interpreter's heap. The figure that matters is what the agent uses of it (gc.mem_alloc()), see the README. */
export const HEAP_SIZE = 512 * 1024;

export type AgentSettings = Record<string, string | number | boolean | string[]>;

export interface BoardEvents {
  log(line: string): void;
  send(conn: number, bytes: Uint8Array): void;
  close(conn: number): void;
  /** The board reset itself (machine.reset()). */
  reset(): void;
}

export class Board {
  private readonly uniqueId: string;
  private worker: Worker | null = null;
  private pending = new Map<number, (reply: { value?: string; error?: string }) => void>();
  private nextEval = 0;
  /** Bytes arrived per connection, shared with the board's thread (see WorkerStart.arrivals). */
  readonly arrivals = new Int32Array(new SharedArrayBuffer(4 * 4096));
  on: BoardEvents = { log: (line) => process.stdout.write(`${line}\n`), send: () => {}, close: () => {}, reset: () => {} };

  constructor(
    readonly dir: string,
    readonly settings: AgentSettings,
  ) {
    mkdirSync(dir, { recursive: true });
    const identity = join(dir, 'board.json');
    if (!existsSync(identity)) writeFileSync(identity, JSON.stringify({ uniqueId: randomBytes(6).toString('hex') }));
    this.uniqueId = (JSON.parse(readFileSync(identity, 'utf8')) as { uniqueId: string }).uniqueId;
  }

  get id(): string {
    return `ff-${this.uniqueId}`;
  }

  /** Whether the board holds a pairing key (it was paired before). */
  get paired(): boolean {
    return existsSync(join(this.dir, 'flash', 'fieldflash', 'auth.json'));
  }

  get powered(): boolean {
    return this.worker !== null;
  }

  /**
   * Powers the board on; resolves once main.py runs, or with false when it reset while starting. `powerCutAt`
   * cuts the power before that flash change (WorkerStart.powerCutAt); the board then reports a reset.
   */
  boot(faults: { powerCutAt?: number } = {}): Promise<boolean> {
    return this.power(faults.powerCutAt === undefined ? {} : { powerCutAt: faults.powerCutAt });
  }

  /** How many flash changes the board made since it was powered on. */
  flashChanges(): Promise<number> {
    return this.eval('import ffboard\nresult = ffboard.flash_changes()') as Promise<number>;
  }

  /** Pairs the board with `secret` in the interpreter: the key is derived once and stored, never the secret. */
  async pair(secret: string): Promise<void> {
    await this.power({ secret });
    await this.halt();
  }

  private power(extra: Partial<WorkerStart>): Promise<boolean> {
    const start: WorkerStart = { arrivals: this.arrivals.buffer as SharedArrayBuffer, dir: this.dir, uniqueId: this.uniqueId, settings: this.settings, heapSize: HEAP_SIZE, ...extra };
    const worker = new Worker(new URL('./board-thread.mjs', import.meta.url), { workerData: start });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromBoard) => {
        switch (message.type) {
          case 'log':
            return this.on.log(message.line);
          case 'send':
            return this.on.send(message.conn, message.bytes);
          case 'close':
            return this.on.close(message.conn);
          case 'ready':
            return resolve(true);
          case 'failed':
            return reject(new Error(`main.py failed on the board: ${message.message}`));
          case 'result':
            this.pending.get(message.id)?.(message);
            this.pending.delete(message.id);
            return;
          case 'reset':
            resolve(false);
            this.on.reset();
        }
      });
      worker.once('error', reject);
      worker.once('exit', () => resolve(false));
    });
  }

  post(message: ToBoard): void {
    this.worker?.postMessage(message);
  }

  /** Runs Python on the board; it leaves its answer in `result`, returned here from JSON. */
  eval(code: string): Promise<unknown> {
    const id = ++this.nextEval;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.error === undefined ? resolve(JSON.parse(reply.value ?? 'null')) : reject(new Error(reply.error))));
      this.post({ type: 'eval', id, code });
    });
  }

  /** The device document as the agent on the board describes itself. */
  document(): Promise<Record<string, unknown>> {
    return this.eval('import fieldflash\nresult = fieldflash.current().device.document()') as Promise<Record<string, unknown>>;
  }

  /** Cuts the power: the thread ends, and everything the board held in RAM with it. */
  async halt(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
