// One power-on of MicroPython: a fresh instance of the WebAssembly port (its VM, heap and MEMFS), driven a byte
// at a time through the port's event-driven REPL. Everything it prints arrives through `onOutput`.
import type { WasmPortInstance } from '@micropython/micropython-webassembly-pyscript';
import type { EmscriptenFs } from './board-files.ts';

/** pyexec's PYEXEC_FORCED_EXIT: Ctrl-D on an empty line, a soft reset. */
export const FORCED_EXIT = 0x100;

/** The heap a generic ESP32 without PSRAM starts with; this port grows its heap on demand, so it is no cap. */
const HEAP_BYTES = 128 * 1024;

export class Interpreter {
  private constructor(private readonly port: WasmPortInstance) {}

  /** `wasmUrl`: where micropython.wasm is served (the page); Node finds it next to the package's loader. */
  static async load(options: { wasmUrl?: string | undefined; onOutput: (bytes: Uint8Array) => void }): Promise<Interpreter> {
    const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
    const port = await loadMicroPython({
      heapsize: HEAP_BYTES,
      linebuffer: false,
      stdout: options.onOutput,
      stderr: options.onOutput,
      ...(options.wasmUrl ? { url: options.wasmUrl } : {}),
    });
    return new Interpreter(port);
  }

  get fs(): EmscriptenFs {
    return this.port.FS as EmscriptenFs;
  }

  /** Runs a script as the firmware runs boot.py and main.py; returns its traceback when it raised. */
  runFile(name: string): string | undefined {
    this.activate();
    try {
      this.port.runPython(`execfile(${JSON.stringify(name)})`);
      return undefined;
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'PythonError') throw error;
      if ((error as Error & { type?: string }).type === 'SystemExit') return undefined;
      // The traceback's first frame is the execfile() line that started the script, which a board does not have.
      return error.message.replace(/^(Traceback \(most recent call last\):\n)  File "<stdin>", line 1, in <module>\n/, '$1');
    }
  }

  replInit(): void {
    this.activate();
    this.port.replInit();
  }

  /** One byte of input; returns the REPL's verdict (FORCED_EXIT set: soft reset). */
  processChar(byte: number): number {
    this.activate();
    return this.port.replProcessChar(byte);
  }

  /** The port's loader keeps its instance in a global for its helpers; another board loaded since must not answer. */
  private activate(): void {
    (globalThis as { Module?: object }).Module = this.port._module;
  }
}
