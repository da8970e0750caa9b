// What the stores find at start after a crash left the disk half-way through a step, and what they make of it.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal, writeJournal } from '../src/journal.ts';
import { SlotStore } from '../src/slot-store.ts';
import { UploadStore } from '../src/uploads.ts';

const FACTORY = { product: 'demo-sensor', version: '1.0.0', sequence: 1, securityVersion: 1 };
const quiet = () => {};
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function storeWithPending(): Promise<{ dir: string; store: SlotStore; image: Uint8Array }> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldflash-store-'));
  const store = await SlotStore.open(dir, FACTORY, quiet);
  const image = new Uint8Array(10_000).map((_, i) => i % 251);
  const file = join(dir, 'incoming.bin');
  writeFileSync(file, image);
  store.installPending(file, { sha256: sha(image), size: image.length, version: '1.1.0', sequence: 2, securityVersion: 1 });
  return { dir, store, image };
}

describe('slot store at start', () => {
  it('creates a verified factory image in slot a on a blank device', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldflash-store-'));
    const store = await SlotStore.open(dir, FACTORY, quiet);
    expect(store.journal.active).toBe('a');
    const record = store.journal.slots.a;
    expect(record.state === 'active' && record.sha256).toBe(sha(readFileSync(join(dir, 'slots', 'a.img'))));
  });

  it('rolls back a test boot that never finished', async () => {
    const { dir, store } = await storeWithPending();
    store.beginTestBoot();
    const lines: string[] = [];
    const again = await SlotStore.open(dir, FACTORY, (line) => lines.push(line));
    expect(again.journal.active).toBe('a');
    expect(again.journal.slots.b.state).toBe('empty');
    expect(again.journal.testBoot).toBeNull();
    expect(again.journal.lastUpdate).toMatchObject({ outcome: 'rolled-back', version: '1.1.0' });
    expect(existsSync(join(dir, 'slots', 'b.img'))).toBe(false);
    expect(lines.join('\n')).toContain('never confirmed its test boot');
  });

  it('keeps a pending image that was committed but not yet booted', async () => {
    const { dir, image } = await storeWithPending();
    const again = await SlotStore.open(dir, FACTORY, quiet);
    expect(again.journal.slots.b).toMatchObject({ state: 'pending', sha256: sha(image) });
  });

  it('forgets a slot whose bytes no longer match its record, and removes files the journal does not know', async () => {
    const { dir } = await storeWithPending();
    writeFileSync(join(dir, 'slots', 'b.img'), 'half an image');
    writeFileSync(join(dir, 'slots', 'a.img.tmp'), 'leftover');
    const again = await SlotStore.open(dir, FACTORY, quiet);
    expect(again.journal.slots.b.state).toBe('empty');
    expect(existsSync(join(dir, 'slots', 'b.img'))).toBe(false);
    expect(existsSync(join(dir, 'slots', 'a.img.tmp'))).toBe(false);
  });

  it('boots the confirmed image when the active slot is damaged', async () => {
    const { dir, store } = await storeWithPending();
    store.beginTestBoot();
    store.confirmTestBoot();
    expect(store.journal.active).toBe('b');
    writeFileSync(join(dir, 'slots', 'b.img'), 'bit rot');
    const again = await SlotStore.open(dir, FACTORY, quiet);
    expect(again.journal.active).toBe('a');
    expect(again.journal.slots.a.state).toBe('active');
    expect(again.journal.slots.b.state).toBe('empty');
  });

  it('refuses to start, saying why, when no verified image is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldflash-store-'));
    await SlotStore.open(dir, FACTORY, quiet);
    writeFileSync(join(dir, 'slots', 'a.img'), 'bit rot');
    await expect(SlotStore.open(dir, FACTORY, quiet)).rejects.toThrow('no confirmed image is left to boot');
  });

  it('numbers journal generations', async () => {
    const { dir } = await storeWithPending();
    const journal = readJournal(dir)!;
    const before = journal.generation;
    writeJournal(dir, journal);
    expect(readJournal(dir)!.generation).toBe(before + 1);
  });
});

describe('partial uploads at start', () => {
  it('resume at the last complete progress record, ignoring a torn one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldflash-uploads-'));
    const uploads = new UploadStore(dir);
    const meta = { sha256: 'ab'.repeat(32), size: 300_000, version: '1.1.0', sequence: 2, securityVersion: 1, slot: 'b' as const, createdAt: 1 };
    const upload = await uploads.create(meta);
    expect(await upload.writeChunk(65_536, new Uint8Array(65_536).fill(2))).toBe(0);
    expect(await upload.writeChunk(0, new Uint8Array(65_536).fill(1))).toBe(131_072);
    await upload.close();
    appendFileSync(join(dir, `${meta.sha256}.progress`), '2621'); // a record cut off mid-write
    const again = new UploadStore(dir);
    again.load(quiet);
    expect(again.get(meta.sha256)?.offset).toBe(131_072);
  });

  it('drop the record of an upload whose bytes moved into a slot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldflash-uploads-'));
    const uploads = new UploadStore(dir);
    const meta = { sha256: 'cd'.repeat(32), size: 10, version: '1.1.0', sequence: 2, securityVersion: 1, slot: 'b' as const, createdAt: 1 };
    const upload = await uploads.create(meta);
    await upload.close();
    rmSync(upload.dataPath);
    const again = new UploadStore(dir);
    again.load(quiet);
    expect(again.get(meta.sha256)).toBeUndefined();
    expect(existsSync(join(dir, `${meta.sha256}.json`))).toBe(false);
  });
});
