// The emulated chip behind a raw TCP socket, the socket://host:port form pyserial-based tools (esptool,
// idf.py monitor) open. Raw TCP has no modem lines and no baud rate: the chip cannot be reset from the host,
// so by default it powers up in download mode (BOOT held), and bytes cross the link as they are, whatever rate
// the chip's UART runs at (a baud change garbles nothing, not even the answer sent at the old rate).
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EspEmulator, type EspEmulatorOptions } from '../emulator.ts';
import type { ChipName } from '../registers/chips.ts';

export interface TcpEmulatorOptions {
  /** A chip to serve, or the family to create one for. */
  chip: ChipName | EspEmulator;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** For a created chip: 'download' (default) or 'app'. */
  boot?: 'download' | 'app';
  /** For a created chip: pace bytes at the baud rate (default false). */
  wireTime?: boolean;
  /** For a created chip: erases and writes take the flash's datasheet time (default: as wireTime). */
  flashTime?: boolean;
  flashSize?: number;
  mac?: string;
  faults?: EspEmulatorOptions['faults'];
}

export interface TcpEmulator {
  chip: EspEmulator;
  host: string;
  port: number;
  /** socket://host:port, as pyserial's serial_for_url takes it. */
  url: string;
  /** Stops listening, drops the client and stops the chip. */
  close(): Promise<void>;
}

/** Writes queued to the chip before the socket is paused (wire time makes the chip slower than TCP). */
const MAX_WRITES_IN_FLIGHT = 8;

export async function startTcpEmulator(options: TcpEmulatorOptions): Promise<TcpEmulator> {
  const created = typeof options.chip === 'string';
  const chip =
    typeof options.chip === 'string'
      ? new EspEmulator({
          chip: options.chip,
          wireTime: options.wireTime ?? false,
          flashTime: options.flashTime ?? options.wireTime ?? false,
          powerOnBoot: options.boot ?? 'download',
          ...(options.flashSize !== undefined ? { flashSize: options.flashSize } : {}),
          ...(options.mac !== undefined ? { mac: options.mac } : {}),
          ...(options.faults !== undefined ? { faults: options.faults } : {}),
        })
      : options.chip;
  let client: Socket | undefined;
  let firstClient = true;
  const server: Server = createServer((socket) => {
    if (client || chip.isUnplugged) {
      socket.destroy();
      return;
    }
    client = socket;
    socket.setNoDelay(true);
    const connection = chip.attach({
      baud: () => undefined,
      receive: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      lost: () => socket.destroy(),
    });
    // The first host to connect "plugs the board in": it sees the power-up banner or boot log.
    if (firstClient && created) chip.powerCycle();
    firstClient = false;
    let inFlight = 0;
    socket.on('data', (chunk: Buffer) => {
      inFlight++;
      if (inFlight >= MAX_WRITES_IN_FLIGHT) socket.pause();
      void connection.write(new Uint8Array(chunk)).then(() => {
        inFlight--;
        if (inFlight < MAX_WRITES_IN_FLIGHT / 2 && socket.isPaused() && !socket.destroyed) socket.resume();
      });
    });
    const release = (): void => {
      connection.detach();
      if (client === socket) client = undefined;
    };
    socket.on('close', release);
    socket.on('error', release);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    chip,
    host,
    port,
    url: `socket://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        client?.destroy();
        if (created) chip.dispose();
        server.close(() => resolve());
      }),
  };
}
