// Types for the part of the MicroPython WebAssembly port's loader the bridge uses (the package ships none).
declare module '@micropython/micropython-webassembly-pyscript/micropython.mjs' {
  export interface MicroPython {
    _module: unknown;
    FS: any;
    registerJsModule(name: string, module: Record<string, unknown>): void;
    pyimport(name: string): any;
    runPython(code: string): unknown;
    globals: { get(name: string): unknown };
    runPythonAsync(code: string): Promise<unknown>;
  }
  export function loadMicroPython(options?: {
    heapsize?: number;
    pystack?: number;
    linebuffer?: boolean;
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
  }): Promise<MicroPython>;
}
