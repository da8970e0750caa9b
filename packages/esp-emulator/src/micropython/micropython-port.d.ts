// The part of the MicroPython WebAssembly port's loader (npm: @micropython/micropython-webassembly-pyscript) that
// the simulated board uses; the package ships no types.
declare module '@micropython/micropython-webassembly-pyscript' {
  export interface WasmPortInstance {
    _module: object;
    /** Emscripten's FS object (MEMFS). */
    FS: unknown;
    runPython(code: string): unknown;
    replInit(): void;
    /** Feeds one byte to the event-driven REPL; non-zero with 0x100 set asks for a soft reset. */
    replProcessChar(char: number): number;
  }
  export function loadMicroPython(options: {
    heapsize?: number;
    pystack?: number;
    linebuffer?: boolean;
    /** Where micropython.wasm is; by default next to micropython.mjs. */
    url?: string;
    stdout?: (bytes: Uint8Array) => void;
    stderr?: (bytes: Uint8Array) => void;
  }): Promise<WasmPortInstance>;
}
