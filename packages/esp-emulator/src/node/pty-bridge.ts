// The chip on a pseudo-terminal, for tools that want a device path rather than socket://. Node has no pty
// API and a native addon would need a build, so python3's pty module (standard library) holds the pty pair
// and relays bytes over its stdin/stdout. Baud rate and modem lines on a pty are cosmetic: esptool warns
// "Chip was NOT reset" and carries on, which is why the chip should start in download mode.
import { spawn } from 'node:child_process';
import type { EspEmulator } from '../emulator.ts';

const RELAY = String.raw`
import os, sys, select, tty, errno, fcntl
master, slave = os.openpty()
tty.setraw(slave)
fl = fcntl.fcntl(master, fcntl.F_GETFL)
fcntl.fcntl(master, fcntl.F_SETFL, fl | os.O_NONBLOCK)
sys.stderr.write(os.ttyname(slave) + "\n"); sys.stderr.flush()
while True:
    r, _, _ = select.select([master, 0], [], [])
    if master in r:
        try:
            data = os.read(master, 65536)
            if data: os.write(1, data)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EIO): raise
    if 0 in r:
        data = os.read(0, 65536)
        if not data: break
        try: os.write(master, data)
        except OSError as e:
            # Nobody reads the terminal and its buffer is full: a UART would drop the bytes too.
            if e.errno != errno.EAGAIN: raise
`;

export interface PtyBridge {
  path: string;
  close(): void;
}

export function startPtyBridge(chip: EspEmulator): Promise<PtyBridge> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', RELAY], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.once('error', (error) => reject(new Error(`--pty needs python3 on the PATH (${error.message})`)));
    let errText = '';
    child.stderr.setEncoding('utf8');
    const onPath = (text: string): void => {
      errText += text;
      const newline = errText.indexOf('\n');
      if (newline < 0) return;
      child.stderr.off('data', onPath);
      const path = errText.slice(0, newline).trim();
      const connection = chip.attach({
        baud: () => undefined,
        receive: (bytes) => {
          if (child.stdin.writable) child.stdin.write(bytes);
        },
        lost: () => undefined,
      });
      child.stdout.on('data', (chunk: Buffer) => void connection.write(new Uint8Array(chunk)));
      resolve({
        path,
        close: () => {
          connection.detach();
          child.kill();
        },
      });
    };
    child.stderr.on('data', onPath);
    child.once('exit', (code) => reject(new Error(`the pty relay (python3) stopped with code ${code}: ${errText.trim()}`)));
  });
}
