// The journal: the one record of which slot holds what and which boots, replaced atomically on every change.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CounterSources, CounterSource } from '@fieldflash/protocol';
import { replaceFileDurably } from './durable.ts';

export type SlotName = 'a' | 'b';
export const SLOT_NAMES: readonly SlotName[] = ['a', 'b'];
export type SlotState = 'active' | 'pending' | 'confirmed' | 'empty';

/** What an image claims about itself, recorded with its slot. */
export interface ImageInfo {
  sha256: string;
  size: number;
  version: string;
  sequence: number;
  securityVersion: number;
  /** Where sequence and securityVersion came from; absent in journals written before the device said so. */
  counterSources?: CounterSources;
  /**
   * Set when the facts above were read from a release manifest the device verified (§4.9): the key that signed it and
   * the product it names. Absent for images whose facts the offer claimed.
   */
  signedRelease?: { keyId: string; product: string };
}

export type SlotRecord = { state: 'empty' } | ({ state: Exclude<SlotState, 'empty'> } & ImageInfo);

export interface LastUpdate {
  sha256: string;
  version: string;
  outcome: 'pending' | 'confirmed' | 'rolled-back';
  reason?: string;
}

export interface Journal {
  /** Increases with every write; a reader can tell which of two journals is newer. */
  generation: number;
  active: SlotName;
  slots: Record<SlotName, SlotRecord>;
  /** Set while a pending slot is being test-booted; still set at start means the device died during that boot. */
  testBoot: { slot: SlotName; previous: SlotName; sha256: string } | null;
  lastUpdate: LastUpdate | null;
  /** The highest security version ever confirmed: images below it are refused even after a rollback. */
  securityFloor: number;
  /** Where the image that raised the floor took its security version from. */
  securityFloorSource?: CounterSource;
  /**
   * The reboot into the pending image at `at` (ms since the epoch, the device's clock), docs/protocol.md §5.1. Kept
   * here so that the commit that replaces the pending image and the end of its schedule are one write. Absent in
   * journals written before the device kept schedules.
   */
  scheduledReboot?: { sha256: string; at: number } | null;
}

export function journalPath(dir: string): string {
  return join(dir, 'journal.json');
}

export function readJournal(dir: string): Journal | null {
  const path = journalPath(dir);
  if (!existsSync(path)) return null;
  let parsed: Journal;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  } catch {
    throw new Error(`${path} is not valid JSON; it was not written by a FieldFlash agent. Move it away to start the device afresh`);
  }
  if (typeof parsed.generation !== 'number' || !parsed.slots?.a || !parsed.slots?.b || !SLOT_NAMES.includes(parsed.active)) {
    throw new Error(`${path} is not a FieldFlash agent journal; move it away to start the device afresh`);
  }
  return parsed;
}

export function writeJournal(dir: string, journal: Journal): void {
  journal.generation += 1;
  replaceFileDurably(journalPath(dir), `${JSON.stringify(journal, null, 2)}\n`, 'journal-write');
}

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}
