// Helpers shared by the agent integration tests: images, a fresh device directory, and what is on its disk.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesImage, type ImageSource, type ReleaseFacts } from '@fieldflash/protocol';
import { readJournal, type Journal } from '../../packages/agent/src/index.ts';

export const PASSWORD = 'correct horse battery staple';

export function deviceDir(): string {
  return mkdtempSync(join(tmpdir(), 'fieldflash-agent-'));
}

export interface TestImage {
  bytes: Uint8Array;
  sha256: string;
  source: ImageSource;
}

export function testImage(size: number): TestImage {
  const bytes = new Uint8Array(randomBytes(size));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, source: bytesImage(bytes, sha256) };
}

export function release(version: string, extra: Partial<ReleaseFacts> = {}): ReleaseFacts {
  return { version, chipFamily: 'ESP32', board: 'devkitc-v4', hardwareRevision: '1.0', sequence: 2, securityVersion: 1, ...extra };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The journal on disk, and a check that every filled slot's bytes hash to what the journal records. */
export function diskState(dir: string): { journal: Journal; slotsMatch: boolean } {
  const journal = readJournal(dir)!;
  let slotsMatch = true;
  for (const name of ['a', 'b'] as const) {
    const record = journal.slots[name];
    if (record.state !== 'empty' && sha256File(join(dir, 'slots', `${name}.img`)) !== record.sha256) slotsMatch = false;
  }
  return { journal, slotsMatch };
}
