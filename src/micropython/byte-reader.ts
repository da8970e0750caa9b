// Reads a serial stream into a buffer that the raw-REPL client waits on: "until this text", "exactly n bytes",
// each with a deadline. The stream ending (a pulled cable, a closed port) fails every wait at once.

export class LinkLost extends Error {
  constructor() {
    super('the serial port closed');
    this.name = 'LinkLost';
  }
}

export class NoAnswer extends Error {
  constructor(
    readonly waitedFor: string,
    readonly received: string,
  ) {
    super(`no ${waitedFor} from the board`);
    this.name = 'NoAnswer';
  }
}

const latin1 = new TextDecoder('latin1');

export class ByteReader {
  private buffer = new Uint8Array(0);
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly loop: Promise<void>;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.reader = readable.getReader();
    this.loop = this.pump();
  }

  get lost(): boolean {
    return this.ended;
  }

  /** Forgets whatever arrived so far (the answer to an earlier interrupt, a banner). */
  discard(): void {
    this.buffer = new Uint8Array(0);
  }

  /** Bytes up to and including the first `ending`; the rest stays buffered. */
  async until(ending: string, timeoutMs: number, what = JSON.stringify(ending)): Promise<string> {
    const needle = Uint8Array.from(ending, (c) => c.charCodeAt(0));
    const end = await this.waitFor(() => {
      const at = indexOf(this.buffer, needle);
      return at < 0 ? undefined : at + needle.length;
    }, timeoutMs, what);
    return this.take(end);
  }

  async exactly(count: number, timeoutMs: number, what: string): Promise<string> {
    await this.waitFor(() => (this.buffer.length >= count ? count : undefined), timeoutMs, what);
    return this.take(count);
  }

  /** Waits `ms` and returns whatever arrived meanwhile (and before). */
  async collect(ms: number): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.take(this.buffer.length);
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
    await this.loop;
  }

  private take(count: number): string {
    const text = latin1.decode(this.buffer.subarray(0, count));
    this.buffer = this.buffer.slice(count);
    return text;
  }

  private async waitFor(found: () => number | undefined, timeoutMs: number, what: string): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = found();
      if (at !== undefined) return at;
      if (this.ended) throw new LinkLost();
      const left = deadline - Date.now();
      if (left <= 0) throw new NoAnswer(what, latin1.decode(this.buffer.subarray(-200)));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        const joined = new Uint8Array(this.buffer.length + value.length);
        joined.set(this.buffer);
        joined.set(value, this.buffer.length);
        this.buffer = joined;
        this.wake?.();
      }
    } catch {
      // The port failed: the same as its end for anyone waiting.
    } finally {
      this.ended = true;
      this.wake?.();
      this.reader.releaseLock();
    }
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
