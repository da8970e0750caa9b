// The chip's CPU running the ROM loader or the stub: one command at a time, on its own clock. A command that waits
// for the flash (an erase, a program, an MD5 of a region being erased) moves that clock ahead; what it does after
// the wait (an answer, a baud change, a reset) happens when the clock says so, and the next command waits in the
// UART buffer until the CPU is done. With the flash untimed the clock never moves ahead and all of this is
// immediate, exactly as before.

const realNow = (): number => globalThis.performance.now();

interface Action {
  at: number;
  run: () => void;
}

export interface LoaderCpuOptions {
  /** Runs one command (a SLIP frame). */
  handle(frame: Uint8Array): void;
  /** The CPU sat idle from `from` until `to`, waiting for the UART (the stub erases ahead meanwhile). */
  idle(from: number, to: number): void;
}

export class LoaderCpu {
  private readonly inbox: Array<{ frame: Uint8Array; arrived: number }> = [];
  private readonly actions: Action[] = [];
  /** The time of the command being run; undefined between commands. */
  private cursor: number | undefined;
  /** When the CPU finished its last command. */
  private freeAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts resets, so a command that reset the chip does not leave its time behind. */
  private epoch = 0;

  constructor(private readonly options: LoaderCpuOptions) {}

  /** The CPU's time: inside a command, where that command has got to; otherwise the real time. */
  now(): number {
    return this.cursor ?? realNow();
  }

  /** A frame arrived from the UART. */
  receive(frame: Uint8Array): void {
    this.inbox.push({ frame, arrived: realNow() });
    this.run();
  }

  /** The command being run waits until `time` (a flash operation ends). */
  waitUntil(time: number): void {
    if (this.cursor !== undefined && time > this.cursor) this.cursor = time;
  }

  /** Does `action` at the CPU's current time: now, or once the waits before it are over. */
  at(action: () => void): void {
    const at = this.now();
    if (this.actions.length === 0 && at <= realNow()) {
      action();
      return;
    }
    this.actions.push({ at, run: action });
    this.schedule();
  }

  /** Reset or power loss: queued commands and everything the CPU meant to do are gone. */
  reset(): void {
    this.inbox.length = 0;
    this.actions.length = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.cursor = undefined;
    this.freeAt = 0;
    this.epoch++;
  }

  private run(): void {
    if (this.cursor !== undefined) return; // a command is running; it drains the inbox when done
    this.doDueActions();
    while (this.inbox.length > 0 && this.actions.length === 0) {
      const { frame, arrived } = this.inbox[0]!;
      const start = Math.max(arrived, this.freeAt);
      if (start > realNow()) break;
      this.inbox.shift();
      if (this.freeAt < start) {
        this.cursor = this.freeAt;
        this.options.idle(this.freeAt, start);
      }
      this.cursor = start;
      const epoch = this.epoch;
      try {
        this.options.handle(frame);
      } finally {
        if (epoch === this.epoch) this.freeAt = this.cursor ?? start;
        this.cursor = undefined;
      }
      this.doDueActions();
    }
    this.schedule();
  }

  private doDueActions(): void {
    while (this.actions.length > 0 && this.actions[0]!.at <= realNow()) this.actions.shift()!.run();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const next = this.actions[0]?.at ?? (this.inbox.length > 0 ? this.freeAt : undefined);
    if (next === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, Math.max(0, next - realNow()));
  }
}
