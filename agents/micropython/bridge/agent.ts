// The MicroPython agent on a simulated board behind the bridge: pairs and boots the board, listens, and after each
// reset of the board (machine.reset()) takes it off the network, boots it again over the same files and listens again.
import { type AgentSettings, Board } from './board.ts';
import { Bridge } from './net.ts';

/** How long a reset keeps the board off the network, about what an ESP32 takes to boot. */
export const RESET_MS = 300;

export interface MicroPythonAgentOptions {
  dir: string;
  host?: string;
  port?: number;
  settings: AgentSettings;
  /** The pairing secret: derived into the board's stored key before it boots, when given. */
  secret?: string;
  /**
   * Cuts the power before this flash change of the first boot (Board.boot's fault hook), e.g. in the middle of an
   * upload; the board then comes back as after any reset. For the power-cut campaign.
   */
  powerCutAt?: number;
  log?: (line: string) => void;
}

export interface RunningMicroPythonAgent {
  url: string;
  port: number;
  board: Board;
  /** Resolves once the board is back on the network after the resets under way. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startMicroPythonAgent(options: MicroPythonAgentOptions): Promise<RunningMicroPythonAgent> {
  const host = options.host ?? '127.0.0.1';
  const board = new Board(options.dir, options.settings);
  if (options.log) board.on.log = options.log;
  const bridge = new Bridge(board, host);
  let port = options.port ?? 0;
  let closed = false;
  let rebooting: Promise<void> = Promise.resolve();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  /** Boots and listens; a board that resets while starting (a rollback, a power-cut test hook) is booted by `reset`. */
  let faults = options.powerCutAt === undefined ? {} : { powerCutAt: options.powerCutAt };
  const bootAndListen = async (): Promise<void> => {
    const thisBoot = faults;
    faults = {};
    if ((await board.boot(thisBoot)) && !closed) port = await bridge.listen(port);
  };
  board.on.reset = () => {
    rebooting = (async () => {
      await board.halt();
      await bridge.down();
      await new Promise((resolve) => setTimeout(resolve, RESET_MS));
      if (!closed) await bootAndListen();
    })().catch((error: unknown) => log(`the board did not come back: ${error instanceof Error ? error.message : String(error)}`));
  };
  if (options.secret !== undefined) await board.pair(options.secret);
  else if (!board.paired) throw new Error(`the board in ${options.dir} is not paired: give it a pairing secret`);
  const settled = async (): Promise<void> => {
    let current;
    do {
      current = rebooting;
      await current;
    } while (current !== rebooting);
  };
  await bootAndListen();
  await settled();
  return {
    url: `http://${host}:${port}`,
    port,
    board,
    settled,
    async close() {
      closed = true;
      await settled();
      await bridge.down();
      await board.halt();
    },
  };
}
