// Node-only shells for the emulated chip.
export { startTcpEmulator, type TcpEmulator, type TcpEmulatorOptions } from './tcp-server.ts';
export { loadFlashFile, saveFlashFile } from './flash-file.ts';
