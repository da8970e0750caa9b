// The image deflated block by block while the write goes on, so the first block leaves at once instead of after
// the whole image is compressed (a third of a second for a 2 MiB app on a laptop, with the wire and the flash idle).
//
// Level 9, as esptool compresses; the stream is the one a single deflate call makes. Each block is inflated again as
// it is made, which gives the exact image bytes it holds: esptool's timeout for the stub's answer, and the offset a
// failed block started at.
import { Deflate, Inflate } from 'pako';
import { Md5Stream } from './md5.ts';

const Z_NO_FLUSH = 0;
const Z_SYNC_FLUSH = 2;
const Z_FINISH = 4;
/** Image bytes fed to the compressor per step: small enough that a block is ready soon after it is asked for. */
const INPUT_STEP = 0x4000;

export interface DeflatedBlock {
  seq: number;
  bytes: Uint8Array;
  /** Image bytes the block inflates to, and where they start within the image. */
  imageStart: number;
  imageLength: number;
}

export class BlockDeflater {
  private readonly deflate: Deflate;
  private readonly inflate = new Inflate();
  private readonly ready: Uint8Array[] = [];
  private readonly md5 = new Md5Stream();
  private fed = 0;
  private finished = false;
  private inflated = 0;
  private seq = 0;
  private compressed = 0;

  constructor(
    private readonly image: Uint8Array,
    blockSize: number,
  ) {
    // Output comes out in whole blocks, and the last one short: exactly the blocks the stub takes.
    this.deflate = new Deflate({ level: 9, chunkSize: blockSize });
    this.deflate.onData = (chunk) => {
      this.ready.push(chunk as Uint8Array);
    };
    this.inflate.onData = (chunk) => {
      this.inflated += (chunk as Uint8Array).length;
    };
  }

  /** Compressed bytes handed out so far. */
  get compressedBytes(): number {
    return this.compressed;
  }

  /** The next block, compressing as much more of the image as that takes; undefined after the last. */
  next(): DeflatedBlock | undefined {
    while (this.ready.length === 0 && !this.finished) this.feed();
    const bytes = this.ready.shift();
    if (!bytes) return undefined;
    const imageStart = this.inflated;
    this.inflate.push(bytes, Z_SYNC_FLUSH);
    this.compressed += bytes.length;
    return { seq: this.seq++, bytes, imageStart, imageLength: this.inflated - imageStart };
  }

  /** MD5 of the whole image; complete once the last block has been handed out. */
  imageMd5(): string {
    return this.md5.hex();
  }

  private feed(): void {
    const step = this.image.subarray(this.fed, this.fed + INPUT_STEP);
    this.fed += step.length;
    this.md5.append(step);
    this.finished = this.fed === this.image.length;
    this.deflate.push(step, this.finished ? Z_FINISH : Z_NO_FLUSH);
  }
}
