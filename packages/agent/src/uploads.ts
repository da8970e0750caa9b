// Partial uploads, kept on disk by the image's SHA-256 so a transfer resumes after a dropped link, a new client or
// a restart of the device. <dir>/uploads/<sha256>.json describes the image, .part holds its bytes written at their
// offsets, and .progress is an append-only record of the contiguous offset that is fsynced. Only that offset is
// ever reported: a chunk counts once its bytes and the record naming them are on disk.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { crashPoint } from './crash-points.ts';
import { fsyncDirectory, replaceFileDurably } from './durable.ts';
import type { ImageInfo, SlotName } from './journal.ts';
import { sha256OfFile } from './slot-store.ts';

export interface UploadMeta extends ImageInfo {
  slot: SlotName;
  createdAt: number;
}

export class Upload {
  private data: FileHandle | null = null;
  private progress: FileHandle | null = null;
  /** Ranges written since the last flush, and ranges written beyond a gap. */
  private written: Array<[number, number]> = [];
  private dirty = false;
  private flushes: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly meta: UploadMeta,
    /** The contiguous offset that is on disk. */
    public offset: number,
  ) {}

  get dataPath(): string {
    return join(this.dir, `${this.meta.sha256}.part`);
  }

  get complete(): boolean {
    return this.offset === this.meta.size;
  }

  private opening: Promise<{ data: FileHandle; progress: FileHandle }> | null = null;

  /** Opens the data and progress files once, however many chunks ask at the same moment. */
  private handles(): Promise<{ data: FileHandle; progress: FileHandle }> {
    this.opening ??= (async () => {
      this.data = await open(this.dataPath, 'r+');
      this.progress = await open(join(this.dir, `${this.meta.sha256}.progress`), 'a');
      return { data: this.data, progress: this.progress };
    })();
    return this.opening;
  }

  /** Writes a checked chunk at its offset; resolves with the contiguous offset once it is durable. */
  async writeChunk(at: number, bytes: Uint8Array): Promise<number> {
    await this.write(at, bytes);
    return this.sync();
  }

  /** Writes bytes at their offset without making them count yet (see sync). */
  async write(at: number, bytes: Uint8Array): Promise<void> {
    const { data } = await this.handles();
    let done = 0;
    while (done < bytes.length) done += (await data.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
    crashPoint('chunk');
    this.written.push([at, at + bytes.length]);
    this.dirty = true;
  }

  /** Makes what was written durable and resolves with the contiguous offset on disk. */
  async sync(): Promise<number> {
    // Group commit: chunks that arrive while a flush runs share the next one.
    this.flushes = this.flushes.then(() => this.flush());
    await this.flushes;
    return this.offset;
  }

  private async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const ranges = this.written.slice();
    const { data, progress } = await this.handles();
    await data.datasync();
    let offset = this.offset;
    let advanced = true;
    while (advanced) {
      advanced = false;
      for (const [start, end] of ranges) {
        if (start <= offset && end > offset) {
          offset = end;
          advanced = true;
        }
      }
    }
    if (offset > this.offset) {
      await progress.write(`${offset}\n`);
      await progress.datasync();
      this.offset = offset;
      this.written = this.written.filter(([, end]) => end > offset);
    }
  }

  async close(): Promise<void> {
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
    await upload?.close();
    this.discardFiles(sha256);
  }

  private discardFiles(sha256: string): void {
    for (const ext of ['json', 'part', 'progress']) rmSync(join(this.dir, `${sha256}.${ext}`), { force: true });
    fsyncDirectory(this.dir);
  }
}
