// The MicroPython firmware running on the simulated chip: after app_main() it mounts the filesystem from the
// "vfs" partition, runs boot.py and main.py, and offers the REPL on the console UART: friendly (with echo), raw
// (Ctrl-A) and soft reset (Ctrl-D). The interpreter is the real one (the WebAssembly port); what differs from a
// board is said in the package README. Each command that runs writes the changed files back to the flash.
import type { NorFlash } from '../flash.ts';
import type { ChipName } from '../registers/chips.ts';
import { BoardFiles } from './board-files.ts';
import { FORCED_EXIT, Interpreter } from './interpreter.ts';
import { ConsoleOutput } from './console-output.ts';
import { decodeVfsImage, encodeVfsImage } from './vfs-image.ts';
import { findVfsPartition, storeVfsImage } from './vfs-partition.ts';

/** The project name in a MicroPython build's esp_app_desc_t. */
export const MICROPYTHON_PROJECT = 'micropython';

export interface MicroPythonHost {
  chip: ChipName;
  flash: NorFlash;
  /** Bytes out of the chip's UART. */
  transmit(bytes: Uint8Array): void;
  /** Where the page serves micropython.wasm; undefined in Node. */
  wasmUrl: string | undefined;
}

/** What `inisetup.py` writes on a board's first boot. */
const FIRST_BOOT_PY = `# This file is executed on every boot (including wake-boot from deepsleep)
#import esp
#esp.osdebug(None)
#import webrepl
#webrepl.start()
`;

/** A board without a vfs partition keeps its files in RAM; this much. */
const RAM_FILESYSTEM = 64 * 1024;

const CTRL_A = 0x01;
const CTRL_D = 0x04;
const CTRL_E = 0x05;

type ReplMode = 'friendly' | 'raw';

interface Running {
  interpreter: Interpreter;
  files: BoardFiles;
  lastImage: Uint8Array | undefined;
}

export class MicroPythonBoard {
  private generation = 0;
  private running: Running | undefined;
  /** Input that arrived while the firmware was starting; a real UART's buffer holds it too. */
  private pending: number[] = [];
  private mode: ReplMode = 'friendly';
  /** Ctrl-E and "A" held back in the raw REPL: the start of mpremote's raw-paste request. */
  private held: number[] = [];
  private readonly output: ConsoleOutput;

  constructor(private readonly host: MicroPythonHost) {
    this.output = new ConsoleOutput(host.chip);
  }

  /** app_main() was called: power-on or hard reset. */
  start(): void {
    this.mode = 'friendly';
    void this.boot();
  }

  stop(): void {
    this.generation++;
    this.running = undefined;
    this.pending = [];
    this.held = [];
    this.output.take();
  }

  receive(bytes: Uint8Array): void {
    for (const byte of bytes) this.pending.push(byte);
    if (this.running) this.drain();
  }

  private async boot(): Promise<void> {
    const generation = ++this.generation;
    this.running = undefined;
    let interpreter: Interpreter;
    try {
      interpreter = await Interpreter.load({ wasmUrl: this.host.wasmUrl, onOutput: (bytes) => this.output.push(bytes) });
    } catch (error) {
      if (generation === this.generation) this.print(`\r\nE (0) micropython: cannot start the interpreter: ${error instanceof Error ? error.message : String(error)}\r\n`);
      return;
    }
    if (generation !== this.generation) return;
    this.output.take();
    const partition = findVfsPartition(this.host.flash);
    const files = new BoardFiles(interpreter.fs, partition?.size ?? RAM_FILESYSTEM);
    files.prepare();
    const running: Running = { interpreter, files, lastImage: undefined };
    const stored = partition ? decodeVfsImage(this.host.flash.view(partition.offset, partition.size)) : undefined;
    if (!partition) {
      this.print('E (0) micropython: no "vfs" partition in the partition table; files live in RAM only\r\n');
    } else if (stored?.kind === 'files') {
      files.restore(stored.entries);
      running.lastImage = encodeVfsImage(stored.entries);
    } else {
      if (stored?.kind === 'unreadable') this.print('The filesystem appears to be corrupted. Formatting it.\r\n');
      this.print('Performing initial setup\r\n');
      interpreter.fs.writeFile('/boot.py', new TextEncoder().encode(FIRST_BOOT_PY));
    }
    this.running = running;
    this.runScript(running, 'boot.py');
    if (this.mode === 'friendly') this.runScript(running, 'main.py');
    this.persist(running);
    if (this.mode === 'raw') {
      // Back in the raw REPL after a soft reset from it: the prompt without the banner.
      interpreter.replInit();
      interpreter.processChar(CTRL_A);
      this.output.take();
      this.print('raw REPL; CTRL-B to exit\r\n>');
    } else {
      interpreter.replInit();
      this.flushOutput();
    }
    this.drain();
  }

  private runScript(running: Running, name: string): void {
    if (!running.files.snapshot().some((e) => e.kind === 'file' && e.path === name)) return;
    const traceback = running.interpreter.runFile(name);
    this.flushOutput();
    if (traceback) this.print(traceback.replace(/\r?\n/g, '\r\n'));
  }

  /** Feeds waiting input to the REPL, byte by byte, as the UART delivers it. */
  private drain(): void {
    const generation = this.generation;
    while (this.pending.length > 0 && this.running && generation === this.generation) {
      const byte = this.pending.shift()!;
      const running = this.running;
      if (this.mode === 'raw' && this.holdRawPaste(byte)) continue;
      const result = running.interpreter.processChar(byte);
      this.flushOutput();
      if (result & FORCED_EXIT) {
        this.persist(running);
        this.print('MPY: soft reboot\r\n');
        void this.boot();
        return;
      }
      if (byte === 0x0d || byte === 0x0a || byte === CTRL_D) this.persist(running);
    }
  }

  /**
   * mpremote asks for raw-paste mode with Ctrl-E "A" Ctrl-A. The WebAssembly port would start it and then wait for
   * input inside a busy loop that never returns, so this board answers as a build without raw-paste ("R\x00")
   * and the host falls back to the plain raw REPL. True when the byte was taken.
   */
  private holdRawPaste(byte: number): boolean {
    const held = this.held;
    if (held.length === 0 && byte === CTRL_E) {
      held.push(byte);
      return true;
    }
    if (held.length === 1 && byte === 0x41) {
      held.push(byte);
      return true;
    }
    if (held.length === 2 && byte === CTRL_A) {
      this.held = [];
      this.print('R\x00');
      return true;
    }
    if (held.length > 0) {
      // Not a raw-paste request after all: what was held is ordinary input.
      this.held = [];
      this.pending.unshift(...held.slice(1), byte);
      this.running?.interpreter.processChar(held[0]!);
      this.flushOutput();
      return true;
    }
    return false;
  }

  private persist(running: Running): void {
    const partition = findVfsPartition(this.host.flash);
    if (!partition) return;
    const image = encodeVfsImage(running.files.snapshot());
    const last = running.lastImage;
    if (last && last.length === image.length && last.every((b, i) => b === image[i])) return;
    storeVfsImage(this.host.flash, partition, image);
    running.lastImage = image;
  }

  private flushOutput(): void {
    const text = this.output.take();
    if (text.includes('raw REPL; CTRL-B to exit')) this.mode = 'raw';
    else if (text.includes('Type "help()" for more information.')) this.mode = 'friendly';
    if (text) this.host.transmit(latin1(text));
  }

  private print(text: string): void {
    this.host.transmit(new TextEncoder().encode(text));
  }
}

/** Console text is bytes; the output keeps them one char per byte. */
function latin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}
