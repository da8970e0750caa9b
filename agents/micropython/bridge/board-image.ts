// A simulated MicroPython board from FieldFlash's Flash view, brought onto the bridge: the flash image its "Save flash
// image" wrote holds the board's files in its vfs partition; they are unpacked into DIR/flash, where the bridge's
// board keeps its filesystem. The application (/app), its env.py and the agent's state (its settings in
// fieldflash/agent.json and the pairing key in fieldflash/auth.json) are the board's own. /lib (the agent's code)
// and main.py are left out: the bridge boots the same agent code from this repository with a main.py whose socket
// loop is the bridge's, because the simulated board has no network stack of its own.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PARTITION_TABLE_MAX_SIZE, PARTITION_TABLE_OFFSET, parsePartitionTable } from '@fieldflash/bundle';
import { decodeVfsImage } from '@fieldflash/esp-emulator';
import type { AgentSettings } from './board.ts';

/** Where FieldFlash's USB install leaves what the board is: the agent's settings, the port and the entry module. */
export const AGENT_SETTINGS_FILE = 'fieldflash/agent.json';

export class BoardImageError extends Error {
  override name = 'BoardImageError';
}

/** Paths the bridge supplies itself (fs-mirror.ts: never mirrored). */
const BRIDGE_OWN = (path: string): boolean => path === 'main.py' || path === 'lib' || path.startsWith('lib/');

export interface Unpacked {
  /** Files written into DIR/flash. */
  files: string[];
  /** Files of the board left out, the bridge's own. */
  left: string[];
}

/** Unpacks the vfs partition of a saved flash image into DIR/flash, which must not hold a board yet. */
export function unpackBoardImage(image: Uint8Array, dir: string): Unpacked {
  const flashDir = join(dir, 'flash');
  if (existsSync(flashDir) && readdirSync(flashDir).length > 0) {
    throw new BoardImageError(`${flashDir} already holds a board's files. Give a new --dir for the saved board, or leave out --flash-file to run the board in ${dir}.`);
  }
  let table;
  try {
    table = parsePartitionTable(image.subarray(PARTITION_TABLE_OFFSET, PARTITION_TABLE_OFFSET + PARTITION_TABLE_MAX_SIZE));
  } catch (error) {
    throw new BoardImageError(`The flash image has no readable partition table at 0x8000 (${error instanceof Error ? error.message : String(error)}). Save the flash of a board flashed with MicroPython.`);
  }
  const vfs = table.partitions.find((p) => p.type === 'data' && p.label === 'vfs');
  if (!vfs || vfs.offset + vfs.size > image.length) {
    throw new BoardImageError('The flash image has no "vfs" partition, so it holds no MicroPython filesystem. Save the flash of a board flashed with MicroPython.');
  }
  const contents = decodeVfsImage(image.subarray(vfs.offset, vfs.offset + vfs.size));
  if (contents.kind === 'erased') throw new BoardImageError('The board\'s filesystem is empty (its vfs partition is erased): start MicroPython on it once, then install and save again.');
  if (contents.kind === 'unreadable') throw new BoardImageError('The board\'s filesystem in the vfs partition is not one FieldFlash\'s simulated ESP32 wrote, so it cannot be read.');
  const unpacked: Unpacked = { files: [], left: [] };
  mkdirSync(flashDir, { recursive: true });
  for (const entry of contents.entries) {
    if (BRIDGE_OWN(entry.path)) {
      if (entry.kind === 'file') unpacked.left.push(entry.path);
      continue;
    }
    const host = join(flashDir, ...entry.path.split('/'));
    if (entry.kind === 'dir') {
      mkdirSync(host, { recursive: true });
    } else {
      mkdirSync(dirname(host), { recursive: true });
      writeFileSync(host, entry.bytes);
      unpacked.files.push(entry.path);
    }
  }
  return unpacked;
}

/** What the board says it is (fieldflash/agent.json), in the agent's setting names; undefined when it has none. */
export function boardSettings(dir: string): { settings: AgentSettings; port: number | undefined } | undefined {
  const path = join(dir, 'flash', ...AGENT_SETTINGS_FILE.split('/'));
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BoardImageError(`${path} is not JSON (${error instanceof Error ? error.message : String(error)}). Install the agent on the board again.`);
  }
  const record = parsed as { agent?: unknown; port?: unknown };
  if (typeof record.agent !== 'object' || record.agent === null || Array.isArray(record.agent)) {
    throw new BoardImageError(`${path} holds no "agent" settings. Install the agent on the board again.`);
  }
  const settings = Object.fromEntries(
    Object.entries(record.agent).filter((entry): entry is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof entry[1])),
  );
  return { settings, port: Number.isInteger(record.port) ? (record.port as number) : undefined };
}
