// A board FieldFlash set up over USB, run on the MicroPython agent's Node bridge from its saved flash image, as the
// README says: `npm run agent:micropython -- --dir DIR --flash-file FILE`; and a login with a pairing code.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { authenticate, PairingKeys } from '@fieldflash/protocol';
import { NodeHttpTransport } from '@fieldflash/protocol/node';
import { deviceDir } from './agent-support.ts';

const AGENT_CLI = fileURLToPath(new URL('../../agents/micropython/bridge/cli.ts', import.meta.url));

export interface RunningBridge {
  url: string;
  /** The board's files, as the bridge unpacked them. */
  dir: string;
  /** What the command printed until it listened. */
  out: string;
  stop(): void;
}

export async function runSavedBoard(flashImage: Uint8Array): Promise<RunningBridge> {
  const dir = deviceDir();
  const flashFile = `${dir}.bin`;
  await writeFile(flashFile, flashImage);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', AGENT_CLI, '--dir', dir, '--flash-file', flashFile, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
      if (url) resolve({ url, dir, out, stop });
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => reject(new Error(`the bridge exited with ${code}: ${out}`)));
  });
}

export async function logsIn(url: string, secret: string): Promise<boolean> {
  const http = new NodeHttpTransport({ url, clientId: 'usb-install-test' });
  try {
    await authenticate(http, new PairingKeys(secret), 'usb-install-test');
    return true;
  } catch {
    return false;
  } finally {
    http.close();
  }
}
