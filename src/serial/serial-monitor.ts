// The serial monitor: the port opened as plain text at the app's baud rate, so the boot log and the app's output show.
import { explainSerialError, type FlashProblem } from './flash-problems.ts';
import { ImprovFrameFilter } from './improv-frames.ts';

export const MONITOR_BAUD_RATES = [9600, 57600, 74880, 115200, 230400, 460800, 921600] as const;
/** ESP-IDF's console default. */
export const DEFAULT_MONITOR_BAUD = 115200;

export interface MonitorOptions {
  onText: (text: string) => void;
  /** Called once if the port fails while the monitor is open (cable pulled); not after close(). */
  onLost?: (problem: FlashProblem) => void;
}

const ESCAPE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
const RECOVERABLE = new Set(['BufferOverrunError', 'FramingError', 'ParityError', 'BreakError']);
const INCOMPLETE_ESCAPE = /\x1b(\[[0-9;?]*[ -/]*)?$/;

/** Turns a stream of chunks into display text: no colour codes, "\n" line ends, no stray control characters. */
export class ConsoleText {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private carry = '';

  push(bytes: Uint8Array): string {
    let text = this.carry + this.decoder.decode(bytes, { stream: true });
    const incomplete = INCOMPLETE_ESCAPE.exec(text);
    this.carry = incomplete ? incomplete[0] : '';
    if (incomplete) text = text.slice(0, incomplete.index);
    // A "\r\n" split across two reads is one line end, not two: keep a trailing "\r" for the next read.
    else if (text.endsWith('\r')) {
      this.carry = '\r';
      text = text.slice(0, -1);
    }
    return text
      .replace(ESCAPE, '')
      .replace(/\r\n?/g, '\n')
      .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  }
}

/**
 * The open port as a second reader sees it: every byte the monitor reads arrives on `readable`, and `writable`
 * is the port's own. The readable ends when the monitor closes. Cancel it to let go.
 */
export interface SharedPortView {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

export class SerialMonitor {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private closing = false;
  /** Only one reader may hold the port's readable: the monitor reads, and copies each chunk to these. */
  private readonly shares = new Set<ReadableStreamDefaultController<Uint8Array>>();
  /** Writes from shares still on their way: the port cannot close while one holds its writable. */
  private readonly shareWrites = new Set<Promise<void>>();
  private readonly loop: Promise<void>;

  private constructor(
    readonly port: SerialPort,
    readonly baudRate: number,
    private readonly options: MonitorOptions,
  ) {
    this.loop = this.read();
  }

  static async open(port: SerialPort, baudRate: number, options: MonitorOptions): Promise<SerialMonitor> {
    try {
      await port.open({ baudRate });
    } catch (error) {
      throw explainSerialError(error, { stage: 'monitor' });
    }
    return new SerialMonitor(port, baudRate, options);
  }

  /**
   * Pulses EN with IO0 released, so the chip boots from flash: the "hard reset" of esptool.
   * (DTR drives IO0 and RTS drives EN through the usual two-transistor auto-reset circuit.)
   */
  async resetBoard(): Promise<void> {
    await this.port.setSignals({ dataTerminalReady: false, requestToSend: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await this.port.setSignals({ dataTerminalReady: false, requestToSend: false });
  }

  /** Lets another protocol (Improv Serial) talk over the open port without taking it from the console. */
  share(): SharedPortView {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const active = () => !this.closing && controller !== undefined && this.shares.has(controller);
    const readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        if (this.closing) c.close();
        else this.shares.add(c);
      },
      cancel: () => {
        if (controller) this.shares.delete(controller);
      },
    });
    // Writes go through to the port only while the share is held and the monitor open: a protocol that keeps
    // retrying after letting go must never write into whatever opens the port next (the flasher).
    const writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        const target = active() ? this.port.writable : null;
        if (!target) return;
        const writer = target.getWriter();
        const done = writer.write(chunk).finally(() => writer.releaseLock());
        this.shareWrites.add(done);
        try {
          await done;
        } finally {
          this.shareWrites.delete(done);
        }
      },
    });
    return { readable, writable };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.reader?.cancel().catch(() => undefined);
    await this.loop;
    await Promise.allSettled([...this.shareWrites]);
    await this.port.close().catch(() => undefined);
  }

  private endShares(): void {
    for (const share of this.shares) {
      try {
        share.close();
      } catch {
        // already closed by its reader
      }
    }
    this.shares.clear();
  }

  private async read(): Promise<void> {
    try {
      await this.readChunks();
    } finally {
      this.endShares();
    }
  }

  private async readChunks(): Promise<void> {
    const text = new ConsoleText();
    const frames = new ImprovFrameFilter();
    while (!this.closing && this.port.readable) {
      this.reader = this.port.readable.getReader();
      try {
        for (;;) {
          const { value, done } = await this.reader.read();
          if (done) break;
          for (const share of this.shares) share.enqueue(value.slice());
          const shown = text.push(frames.push(value));
          if (shown) this.options.onText(shown);
        }
      } catch (error) {
        // Line noise (framing, parity, overrun, break) ends one stream; Web Serial hands out a fresh one.
        if (error instanceof Error && RECOVERABLE.has(error.name)) continue;
        if (!this.closing) this.options.onLost?.(explainSerialError(error, { stage: 'monitor', deviceLost: true }));
        return;
      } finally {
        this.reader.releaseLock();
      }
    }
  }
}
