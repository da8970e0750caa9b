// Debian Chromium driven over a bare DevTools pipe, with no domain enabled but what the benchmark asks for. Playwright
// enables the Network domain on every page it drives, and Chromium then copies each request body into a DevTools
// event (a 240 KiB chunk becomes ~700 KB of JSON to the driver): a cost no technician's browser pays, which would
// be timed as the page's.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/e2e/browser.ts';

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
}

export class PipeBrowser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';
  private readonly input: Writable;

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const [, , , input, output] = child.stdio as [unknown, unknown, unknown, Writable, Readable];
    output.setEncoding('utf8');
    output.on('data', (text: string) => {
      // Messages are JSON, each ended by a NUL.
      const parts = (this.buffered + text).split('\0');
      this.buffered = parts.pop()!;
      for (const part of parts) this.receive(JSON.parse(part) as { id?: number; result?: Record<string, unknown>; error?: { message: string } });
    });
    this.input = input;
    child.once('exit', (code, signal) => {
      for (const pending of this.pending.values()) pending.reject(new Error(`Chromium exited (${signal ?? `code ${code}`}) before it answered`));
      this.pending.clear();
    });
  }

  static launch(extraArgs: readonly string[] = []): PipeBrowser {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium`);
    const profile = mkdtempSync(join(tmpdir(), 'fieldflash-bench-chromium-'));
    const child = spawn(
      CHROMIUM,
      [...CHROMIUM_ARGS, ...extraArgs, '--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, '--disable-background-timer-throttling', '--disable-renderer-backgrounding', 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new PipeBrowser(child, profile);
  }

  private receive(message: { id?: number; result?: Record<string, unknown>; error?: { message: string } }): void {
    if (message.id === undefined) return; // an event: none is asked for
    const pending = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (message.error) pending?.reject(new Error(message.error.message));
    else pending?.resolve(message.result ?? {});
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  async version(): Promise<string> {
    return (await this.send<{ product: string }>('Browser.getVersion')).product;
  }

  /** A new tab at `url`, and the DevTools session attached to it. */
  async newPage(url: string): Promise<PipePage> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return new PipePage(this, sessionId);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.send('Browser.close').catch(() => {});
    await exited;
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class PipePage {
  constructor(
    private readonly browser: PipeBrowser,
    private readonly sessionId: string,
  ) {}

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  /** Evaluates `expression` in the page, awaiting a promise; a thrown error comes back with the page's message. */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text);
    return reply.result.value as T;
  }

  async waitFor(expression: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(expression).catch(() => false))) {
      if (Date.now() > until) throw new Error(`the page did not get to ${expression} within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Puts files from disk in the page's file input, as a person picking them would. */
  async setInputFiles(selector: string, files: string[]): Promise<void> {
    const { root } = await this.send<{ root: { nodeId: number } }>('DOM.getDocument');
    const { nodeId } = await this.send<{ nodeId: number }>('DOM.querySelector', { nodeId: root.nodeId, selector });
    if (!nodeId) throw new Error(`no ${selector} in the page`);
    await this.send('DOM.setFileInputFiles', { nodeId, files });
  }
}
