// MicroPython's raw REPL over a serial stream, as mpremote drives it: interrupt whatever runs (Ctrl-C), enter the
// raw REPL (Ctrl-A), send code ended by Ctrl-D, read "OK", stdout, \x04, stderr, \x04, ">". Raw-paste mode
// (Ctrl-E "A" Ctrl-A) is asked for once: "R\x01" means the board has it (flow-controlled writes), anything else
// means plain raw-REPL writes, 256 bytes every 10 ms, as mpremote falls back.
import { ByteReader, LinkLost, NoAnswer } from './byte-reader.ts';

export interface ByteLink {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n>';
const ENTER_TIMEOUT_MS = 3000;
const ENTER_ATTEMPTS = 3;
const EXEC_TIMEOUT_MS = 15_000;
const PIECE = 256;
const PIECE_INTERVAL_MS = 10;

export class NotMicroPython extends Error {
  constructor(readonly received: string) {
    super('the board did not answer as MicroPython');
    this.name = 'NotMicroPython';
  }
}

export class RawRepl {
  /** undefined until the first command asks the board. */
  private rawPaste: boolean | undefined;
  private lastPieceAt = 0;
  /** False once softReset() has left the raw REPL. */
  private inRaw = true;

  private constructor(
    private readonly reader: ByteReader,
    private readonly writer: WritableStreamDefaultWriter<Uint8Array>,
  ) {}

  /** Interrupts the running program and enters the raw REPL; NotMicroPython when no raw-REPL prompt comes. */
  static async enter(link: ByteLink): Promise<RawRepl> {
    const repl = new RawRepl(new ByteReader(link.readable), link.writable.getWriter());
    let heard = '';
    try {
      // A board still starting drops what arrives before its REPL runs: ask again, a few times.
      for (let attempt = 0; attempt < ENTER_ATTEMPTS; attempt++) {
        await repl.write('\r\x03\x03');
        heard += await repl.reader.collect(100);
        await repl.write('\r\x01');
        try {
          await repl.reader.until(RAW_BANNER, ENTER_TIMEOUT_MS / ENTER_ATTEMPTS, 'raw REPL prompt');
          return repl;
        } catch (error) {
          if (!(error instanceof NoAnswer)) throw error;
          heard += error.received;
        }
      }
      throw new NotMicroPython(heard.slice(-200));
    } catch (error) {
      await repl.release();
      throw error;
    }
  }

  get lost(): boolean {
    return this.reader.lost;
  }

  /** Runs `code` on the board and returns what it printed; a Python exception shows in `stderr`. */
  async exec(code: string, timeoutMs = EXEC_TIMEOUT_MS): Promise<ExecResult> {
    const bytes = new TextEncoder().encode(code);
    if (this.rawPaste === undefined) this.rawPaste = await this.probeRawPaste();
    if (this.rawPaste) {
      await this.pasteWrite(bytes);
    } else {
      for (let at = 0; at < bytes.length; at += PIECE) await this.pacedWrite(bytes.subarray(at, at + PIECE));
      await this.write('\x04');
      const ok = await this.reader.exactly(2, timeoutMs, 'OK after the command');
      if (ok !== 'OK') throw new NoAnswer('OK after the command', ok);
    }
    const stdout = (await this.reader.until('\x04', timeoutMs, 'end of output')).slice(0, -1);
    const stderr = (await this.reader.until('\x04', timeoutMs, 'end of error output')).slice(0, -1);
    await this.reader.until('>', timeoutMs, 'raw REPL prompt');
    return { stdout: utf8(stdout), stderr: utf8(stderr) };
  }

  /** Leaves the raw REPL for the friendly one (Ctrl-B), then soft-resets (Ctrl-D): boot.py and main.py run. */
  async softReset(): Promise<void> {
    await this.write('\x02');
    this.inRaw = false;
    await this.reader.until('>>> ', ENTER_TIMEOUT_MS, 'friendly REPL prompt');
    this.reader.discard();
    await this.write('\x04');
  }

  /** What the board prints after a soft reset, until `done` says enough or `ms` pass. */
  async watch(ms: number, done: (text: string) => boolean): Promise<string> {
    const deadline = Date.now() + ms;
    let text = '';
    while (Date.now() < deadline && !this.reader.lost) {
      text += await this.reader.collect(100);
      if (done(utf8(text))) break;
    }
    return utf8(text);
  }

  /** Back to the friendly REPL (when still in the raw one) and lets go of the stream. */
  async leave(): Promise<void> {
    if (this.inRaw && !this.reader.lost) await this.write('\x02').catch(() => undefined);
    await this.release();
  }

  private async release(): Promise<void> {
    this.writer.releaseLock();
    await this.reader.close();
  }

  private async probeRawPaste(): Promise<boolean> {
    await this.write('\x05A\x01');
    const answer = await this.reader.exactly(2, ENTER_TIMEOUT_MS, 'answer to the raw-paste request');
    if (answer === 'R\x01') return true;
    // "R\x00": understood, not supported. Anything else: an older board took it as input and re-prompted.
    if (answer !== 'R\x00') await this.reader.until(RAW_BANNER.slice(2), ENTER_TIMEOUT_MS, 'raw REPL prompt');
    return false;
  }

  /** Raw-paste: the board grants a window of bytes and asks for more with \x01; \x04 from it means stop. */
  private async pasteWrite(bytes: Uint8Array): Promise<void> {
    const header = await this.reader.exactly(2, ENTER_TIMEOUT_MS, 'raw-paste window size');
    const window = header.charCodeAt(0) | (header.charCodeAt(1) << 8);
    let remaining = window;
    let at = 0;
    while (at < bytes.length) {
      while (remaining === 0) {
        const signal = await this.reader.exactly(1, EXEC_TIMEOUT_MS, 'raw-paste flow control');
        if (signal === '\x01') remaining += window;
        else if (signal === '\x04') {
          await this.write('\x04');
          return;
        } else throw new NoAnswer('raw-paste flow control', signal);
      }
      const piece = bytes.subarray(at, at + remaining);
      await this.writeBytes(piece);
      remaining -= piece.length;
      at += piece.length;
    }
    await this.write('\x04');
    await this.reader.until('\x04', EXEC_TIMEOUT_MS, 'end of raw-paste');
  }

  /** mpremote's pace for the plain raw REPL: a board's USB or UART buffer holds only so much. */
  private async pacedWrite(piece: Uint8Array): Promise<void> {
    const wait = this.lastPieceAt + PIECE_INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await this.writeBytes(piece);
    this.lastPieceAt = Date.now();
  }

  private write(text: string): Promise<void> {
    return this.writeBytes(Uint8Array.from(text, (c) => c.charCodeAt(0)));
  }

  /** A write that fails means the port went away (Web Serial: NetworkError "The device has been lost."). */
  private async writeBytes(bytes: Uint8Array): Promise<void> {
    try {
      await this.writer.write(bytes.slice());
    } catch {
      throw new LinkLost();
    }
  }
}

/** The reader keeps bytes as latin1 text; what the board prints is UTF-8. */
function utf8(latin1Text: string): string {
  return new TextDecoder().decode(Uint8Array.from(latin1Text, (c) => c.charCodeAt(0)));
}
