// Partial uploads, kept on disk by the image's SHA-256 so a transfer resumes after a dropped link, a new client or
// a restart of the device. <dir>/uploads/<sha256>.json describes the image, .part holds its bytes written at their
// offsets, and .progress is an append-only record of the contiguous offset whose bytes are fsynced.
// While the agent runs it acknowledges the contiguous offset it has written; every MiB (and after a pause) the bytes
// are fsynced and the record appended, in one group commit. After a restart only the record counts, so the device
// then reports the fsynced offset, never more (docs/protocol.md §4.3 allows either).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { crashPoint } from './crash-points.ts';
import { fsyncDirectory, replaceFileDurably } from './durable.ts';
import type { ImageInfo, SlotName } from './journal.ts';
import { sha256OfFile } from './slot-store.ts';

/** Unsynced bytes that start a group commit. */
export const SYNC_EVERY = 1 << 20;
/** Unsynced bytes after which acknowledgements wait for the disk. */
const MAX_UNSYNCED = 4 * SYNC_EVERY;
/** A pause after which written bytes are fsynced anyway. */
const SYNC_AFTER_MS = 200;

export interface UploadMeta extends ImageInfo {
  slot: SlotName;
  createdAt: number;
  /** The security version the offer named, if it named one; the image's own is compared with it at commit. */
  offeredSecurityVersion?: number;
}

export class Upload {
  private data: FileHandle | null = null;
  private progress: FileHandle | null = null;
  private opening: Promise<{ data: FileHandle; progress: FileHandle }> | null = null;
  /** Ranges written beyond a gap, waiting for the gap to close. */
  private ahead: Array<[number, number]> = [];
  private contiguous: number;
  private flushes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private syncing = false;

  constructor(
    readonly dir: string,
    readonly meta: UploadMeta,
    /** The contiguous offset whose bytes and record are on disk. */
    public durable: number,
  ) {
    this.contiguous = durable;
  }

  /** Where the device wants the next byte: every byte before it is written (and fsynced before any commit). */
  get offset(): number {
    return this.contiguous;
  }

  get dataPath(): string {
    return join(this.dir, `${this.meta.sha256}.part`);
  }

  get complete(): boolean {
    return this.contiguous === this.meta.size;
  }

  /** Opens the data and progress files once, however many chunks ask at the same moment. */
  private handles(): Promise<{ data: FileHandle; progress: FileHandle }> {
    this.opening ??= (async () => {
      this.data = await open(this.dataPath, 'r+');
      this.progress = await open(join(this.dir, `${this.meta.sha256}.progress`), 'a');
      return { data: this.data, progress: this.progress };
    })();
    return this.opening;
  }

  /** Writes a checked chunk at its offset; resolves with the contiguous offset, after a group commit when one is due. */
  async writeChunk(at: number, bytes: Uint8Array): Promise<number> {
    await this.write(at, bytes);
    const lag = this.contiguous - this.durable;
    if (lag >= MAX_UNSYNCED) await this.sync();
    else if (lag >= SYNC_EVERY && !this.syncing) {
      // In the background, so the window keeps moving while the disk catches up.
      this.syncing = true;
      void this.sync()
        .catch(() => undefined)
        .finally(() => {
          this.syncing = false;
        });
    }
    return this.contiguous;
  }

  /** Writes bytes at their offset; they count towards the contiguous offset once no gap precedes them. */
  async write(at: number, bytes: Uint8Array): Promise<void> {
    const { data } = await this.handles();
    let done = 0;
    while (done < bytes.length) done += (await data.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
    crashPoint('chunk');
    this.ahead.push([at, at + bytes.length]);
    let advanced = true;
    while (advanced) {
      advanced = false;
      for (const [start, end] of this.ahead) {
        if (start <= this.contiguous && end > this.contiguous) {
          this.contiguous = end;
          advanced = true;
        }
      }
    }
    this.ahead = this.ahead.filter(([, end]) => end > this.contiguous);
    if (this.contiguous > this.durable && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.sync().catch(() => undefined);
      }, SYNC_AFTER_MS);
      this.timer.unref();
    }
  }

  /** Makes the written contiguous bytes durable (group commit) and resolves with the durable offset. */
  async sync(): Promise<number> {
    this.flushes = this.flushes.then(() => this.flush());
    await this.flushes;
    return this.durable;
  }

  private async flush(): Promise<void> {
    // Bytes written before the fsync starts are covered by it.
    const offset = this.contiguous;
    if (offset <= this.durable || !this.opening) return;
    const { data, progress } = await this.handles();
    await data.datasync();
    await progress.write(`${offset}\n`);
    await progress.datasync();
    this.durable = Math.max(this.durable, offset);
  }

  /** Closes the files; with `sync`, what was written is made durable first (a clean shutdown). */
  async close(sync = true): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (sync) await this.sync();
    await this.flushes;
    await this.opening?.catch(() => undefined);
    await this.data?.close();
    await this.progress?.close();
    this.data = null;
    this.progress = null;
    this.opening = null;
  }
}

export class UploadStore {
  private readonly uploads = new Map<string, Upload>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Reads the partial uploads a previous run left, each at the offset its progress record proves. */
  load(log: (line: string) => void): void {
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith('.tmp')) rmSync(join(this.dir, name), { force: true });
      const match = /^([0-9a-f]{64})\.json$/.exec(name);
      if (!match) continue;
      const sha = match[1]!;
      const part = join(this.dir, `${sha}.part`);
      if (!existsSync(part)) {
        this.discardFiles(sha);
        continue;
      }
      const meta = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as UploadMeta;
      let offset = 0;
      const progress = join(this.dir, `${sha}.progress`);
      if (existsSync(progress)) {
        const lines = readFileSync(progress, 'utf8').split('\n');
        lines.pop(); // the text after the last newline is an unfinished record, or nothing
        const last = Number(lines.at(-1) ?? 0);
        if (Number.isSafeInteger(last) && last >= 0) offset = Math.min(last, meta.size, statSync(part).size);
      }
      this.uploads.set(sha, new Upload(this.dir, meta, offset));
      log(`partial upload of ${meta.version} (${sha.slice(0, 12)}…) kept at ${offset} of ${meta.size} bytes`);
    }
  }

  async closeAll(): Promise<void> {
    for (const upload of this.uploads.values()) await upload.close();
  }

  get(sha256: string): Upload | undefined {
    return this.uploads.get(sha256);
  }

  /** Starts an upload; the oldest other partial uploads are dropped so at most `keep` stay on disk. */
  async create(meta: UploadMeta, keep = 2): Promise<Upload> {
    const older = [...this.uploads.values()].sort((x, y) => x.meta.createdAt - y.meta.createdAt);
    while (older.length >= keep) await this.discard(older.shift()!.meta.sha256);
    const upload = new Upload(this.dir, meta, 0);
    closeSync(openSync(upload.dataPath, 'w'));
    replaceFileDurably(join(this.dir, `${meta.sha256}.json`), JSON.stringify(meta));
    this.uploads.set(meta.sha256, upload);
    return upload;
  }

  /** Hashes a complete upload; the caller compares it with the SHA-256 the upload is keyed by. */
  async digest(upload: Upload): Promise<string> {
    await upload.close();
    return sha256OfFile(upload.dataPath);
  }

  /** Forgets an upload whose bytes have moved into a slot (or were refused). */
  async discard(sha256: string): Promise<void> {
    const upload = this.uploads.get(sha256);
    this.uploads.delete(sha256);
    await upload?.close(false);
    this.discardFiles(sha256);
  }

  private discardFiles(sha256: string): void {
    for (const ext of ['json', 'part', 'progress']) rmSync(join(this.dir, `${sha256}.${ext}`), { force: true });
    fsyncDirectory(this.dir);
  }
}
