// One power-on of the simulated board, in a worker thread of its own: the MicroPython WebAssembly port keeps its
// state in globals, so each boot gets a fresh thread, and a reset ends the thread, as a power cycle ends
// everything in RAM. The board's flash filesystem is DIR/flash (fs-mirror.ts), its OTA partitions DIR/partitions
// (partitions.ts); the stand-ins esp32, machine and the socket loop are in py/. Bytes of the network reach it as
// messages from the bridge (net.ts).
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { loadMicroPython } from '@micropython/micropython-webassembly-pyscript/micropython.mjs';
import { copyPythonTree, loadTree, mirrorChanges } from './fs-mirror.ts';
import { Flash } from './partitions.ts';

const AGENT_SOURCE = fileURLToPath(new URL('../fieldflash/', import.meta.url));
const STAND_INS = fileURLToPath(new URL('./py/', import.meta.url));

export interface WorkerStart {
  /** Bytes arrived per connection (slot conn % ARRIVALS), counted by the bridge as they arrive: what the board's
   *  network stack knows before its messages are read. */
  arrivals: SharedArrayBuffer;
  dir: string;
  uniqueId: string;
  settings: Record<string, unknown>;
  heapSize: number;
  /** Pair with this secret instead of booting. */
  secret?: string;
  /**
   * Fault injection: the board loses power just before its flash change number `powerCutAt + 1` since power-on (a
   * file written, created, renamed or removed, a partition or otadata written), so the first `powerCutAt` changes
   * happen and nothing after them. The tests step it through every change of a boot.
   */
  powerCutAt?: number;
}

/** Messages from the bridge to the board. */
export type ToBoard =
  | { type: 'accept'; conn: number; peer: string }
  | { type: 'data'; conn: number; bytes: Uint8Array }
  | { type: 'end'; conn: number }
  /** Python to run on the board; it leaves its answer in `result`. */
  | { type: 'eval'; id: number; code: string };

/** Messages from the board to the bridge. */
export type FromBoard =
  | { type: 'log'; line: string }
  | { type: 'send'; conn: number; bytes: Uint8Array }
  | { type: 'close'; conn: number }
  | { type: 'reset' }
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; value?: string; error?: string };

const start = workerData as WorkerStart;
const port = parentPort!;
const post = (message: FromBoard): void => port.postMessage(message);
let alive = true;
let flashChanges = 0;

/** Whether the board may make its next flash change: false once it has no power (then the change fails with EIO). */
function flashChange(): boolean {
  if (!alive) return false;
  if (start.powerCutAt !== undefined && flashChanges >= start.powerCutAt) {
    alive = false;
    post({ type: 'reset' });
    return false;
  }
  flashChanges++;
  return true;
}


interface Inbox {
  queue: Uint8Array[];
  queued: number;
  /** Bytes the board read so far. */
  read: number;
  ended: boolean;
  peer: string;
}
export const ARRIVALS = 4096;
const arrivals = new Int32Array(start.arrivals);
const inboxes = new Map<number, Inbox>();

const flash = new Flash(start.dir, String(start.settings.version ?? '1.0.0'));
const running = start.secret === undefined ? flash.bootloader() : flash.bootIndex;
const mp = await loadMicroPython({
  heapsize: start.heapSize,
  stdout: (line) => alive && post({ type: 'log', line }),
  stderr: (line) => alive && post({ type: 'log', line }),
});
const M = mp._module as { getValue(p: number, t: string): number; setValue(p: number, v: number, t: string): void };
const copyIn = (addr: number, bytes: Uint8Array): void => {
  for (let i = 0; i < bytes.length; i++) M.setValue(addr + i, bytes[i]!, 'i8');
};
const copyOut = (addr: number, n: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = M.getValue(addr + i, 'i8') & 0xff;
  return out;
};

function recv(conn: number, max: number, untilNewline: boolean): Uint8Array | number {
  const inbox = inboxes.get(conn);
  if (!inbox) return -1;
  if (inbox.queued === 0) return inbox.ended ? -1 : 0;
  const parts: Uint8Array[] = [];
  let taken = 0;
  while (taken < max && inbox.queue.length > 0) {
    const head = inbox.queue[0]!;
    let n = Math.min(head.length, max - taken);
    if (untilNewline) {
      const newline = head.subarray(0, n).indexOf(0x0a);
      if (newline >= 0) n = newline + 1;
    }
    parts.push(head.subarray(0, n));
    taken += n;
    if (n === head.length) inbox.queue.shift();
    else inbox.queue[0] = head.subarray(n);
    if (untilNewline && parts[parts.length - 1]![n - 1] === 0x0a) break;
  }
  inbox.queued -= taken;
  inbox.read += taken;
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

// Host calls never throw into the interpreter (that would end the thread): after a reset they answer -1, which
// the stand-ins turn into OSError.
mp.registerJsModule('ffboard', {
  part_read: (index: number, offset: number, addr: number, n: number) => {
    if (!alive) return -1;
    const bytes = new Uint8Array(n);
    const got = flash.read(index, offset, bytes);
    if (got >= 0) copyIn(addr, bytes);
    return got;
  },
  part_write: (index: number, offset: number, addr: number, n: number) => (flashChange() ? flash.write(index, offset, copyOut(addr, n)) : -1),
  part_erase: (index: number, offset: number, n: number) => (flashChange() ? flash.write(index, offset, new Uint8Array(n).fill(0xff)) : -1),
  set_boot: (index: number) => (flashChange() ? (flash.setBoot(index), 0) : -1),
  boot_index: () => (alive ? flash.bootIndex : -1),
  mark_valid: () => (flashChange() ? (flash.markValid(running), 0) : -1),
  flash_changes: () => flashChanges,
  urandom: (addr: number, n: number) => {
    const bytes = new Uint8Array(n);
    randomFillSync(bytes);
    copyIn(addr, bytes);
    return n;
  },
  reset: () => {
    if (!alive) return -1;
    alive = false;
    post({ type: 'reset' });
    return 0;
  },
  net_recv: (conn: number, addr: number, n: number, untilNewline: boolean) => {
    if (!alive) return -1;
    const got = recv(conn, n, untilNewline);
    if (typeof got === 'number') return got;
    copyIn(addr, got);
    return got.length;
  },
  net_send: (conn: number, addr: number, n: number) => {
    if (!alive) return -1;
    post({ type: 'send', conn, bytes: copyOut(addr, n) });
    return n;
  },
  net_close: (conn: number) => {
    inboxes.delete(conn);
    if (alive) post({ type: 'close', conn });
    return 0;
  },
  net_peer: (conn: number) => inboxes.get(conn)?.peer ?? 'unknown',
  net_pending: (conn: number) => {
    const inbox = inboxes.get(conn);
    return inbox ? Atomics.load(arrivals, conn % ARRIVALS) - (inbox.read | 0) : 0;
  },
});

const FS = mp.FS;
loadTree(FS, join(start.dir, 'flash'));
FS.mkdir('/lib');
copyPythonTree(FS, AGENT_SOURCE, '/lib/fieldflash');
for (const name of ['esp32.py', 'machine.py', 'bridge_loop.py']) FS.writeFile(`/lib/${name}`, readFileSync(join(STAND_INS, name)));
FS.writeFile('/board.json', JSON.stringify({ uniqueId: start.uniqueId, running, partitions: flash.partitions, agent: start.settings }));
mirrorChanges(FS, join(start.dir, 'flash'), flashChange);
mp.runPython("import sys\nsys.path.insert(0, '/lib')");

// Looked up once: every lookup from JavaScript keeps a proxy on the board's heap until JavaScript collects it.
let entry: { accept(conn: number): void; notify(conn: number): void } | undefined;
const loop = () => {
  if (!entry) {
    const module = mp.pyimport('bridge_loop') as { accept(conn: number): void; notify(conn: number): void };
    entry = { accept: module.accept, notify: module.notify };
  }
  return entry;
};
port.on('message', (message: ToBoard) => {
  if (!alive) return;
  if (message.type === 'accept') {
    inboxes.set(message.conn, { queue: [], queued: 0, read: 0, ended: false, peer: message.peer });
    loop().accept(message.conn);
  } else if (message.type === 'data' || message.type === 'end') {
    const inbox = inboxes.get(message.conn);
    if (!inbox) return;
    if (message.type === 'data') {
      inbox.queue.push(message.bytes);
      inbox.queued += message.bytes.length;
    } else inbox.ended = true;
    loop().notify(message.conn);
  } else if (message.type === 'eval') {
    try {
      // The code leaves its answer in `result`, which goes back as JSON.
      mp.runPython(message.code);
      const json = mp.pyimport('json') as { dumps(value: unknown): string };
      post({ type: 'result', id: message.id, value: json.dumps(mp.globals.get('result')) });
    } catch (error) {
      post({ type: 'result', id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
});

try {
  if (start.secret !== undefined) {
    mp.pyimport('bridge_loop');
    (mp.pyimport('fieldflash.pairing') as { pair(dir: string, secret: string): unknown }).pair('/fieldflash', start.secret);
    alive = false;
    post({ type: 'ready' });
  } else {
    mp.runPython(readFileSync(join(STAND_INS, 'main.py'), 'utf8'));
    if (alive) post({ type: 'ready' });
  }
} catch (error) {
  // A reset while starting (a rollback, a test hook's power cut) is no failure: the bridge boots the board again.
  if (alive) post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
