// FLASH_BEGIN/DATA/END and FLASH_DEFL_BEGIN/DATA/END, shared by ROM and stub. They differ where the real
// ones do: the ROM erases the whole region at BEGIN and answers DATA after writing; the stub erases ahead of its
// writes (64 KiB blocks where it can, and in the background while it waits for the next block), answers DATA at
// once, writes while the next block arrives, and reports a failed write on the next command. How long each of
// these keeps the chip busy is the flash's business (flash-timing.ts) and the loaders' (when they wait for it).
import { Inflate } from 'pako';
import { SECTOR_SIZE, type NorFlash } from './flash.ts';
import { dataChecksum, u32 } from './protocol.ts';

export type LoaderFlavour = 'rom' | 'stub';

export type DownloadFault =
  | 'bad-length'
  | 'bad-checksum'
  | 'bad-blocksize'
  | 'not-in-flash-mode'
  | 'inflate'
  | 'not-enough-data'
  | 'too-much-data'
  | 'out-of-range';

export type DownloadResult = { ok: true } | { ok: false; fault: DownloadFault };

const OK: DownloadResult = { ok: true };
const fail = (fault: DownloadFault): DownloadResult => ({ ok: false, fault });
const MAX_BLOCK = 0x10000;
/**
 * The stub inflates into a 32 KiB buffer and writes it to flash each time it fills (and at the end of the stream):
 * `out_buf[32768]` in esptool's legacy flasher_stub/stub_write_flash.c, `TINFL_LZ_DICT_SIZE` in esp-flasher-stub's
 * src/command_handler.c. The write after the last block is at most that much.
 */
const INFLATE_BUFFER = 0x8000;

interface Region {
  compressed: boolean;
  offset: number;
  /** Bytes the region may take (ROM: erase size; stub: erase size, or uncompressed size when deflated). */
  length: number;
  blocks: number;
  blockSize: number;
  nextSeq: number;
  /** Bytes written so far (deflated downloads write sequentially). */
  written: number;
  inflate?: Inflate;
  /** The zlib stream has ended (cleanly or not). */
  finished: boolean;
  inflateFailed: boolean;
}

export class FlashDownload {
  private region: Region | undefined;
  /** The region's erase cursor: [eraseNext, eraseEnd) is still to be erased. */
  private eraseNext = 0;
  private eraseEnd = 0;
  /** The stub's accumulated write error, reported on the next DATA or END. */
  private deferred: DownloadFault | undefined;

  constructor(
    private readonly flash: NorFlash,
    private readonly flavour: LoaderFlavour,
  ) {}

  begin(data: Uint8Array, compressed: boolean): DownloadResult {
    if (data.length !== 16 && data.length !== 20) return fail('bad-length');
    const size = u32(data, 0);
    const blocks = u32(data, 1);
    const blockSize = u32(data, 2);
    const offset = u32(data, 3);
    if (blockSize > MAX_BLOCK || (blocks > 0 && blockSize === 0)) return fail('bad-blocksize');
    if (!this.flash.contains(offset, Math.min(size, this.flash.size))) return fail('out-of-range');
    // esptool-js sends the ROM a region rounded up to its block size; the chip erases what fits.
    const length = Math.min(size, this.flash.size - offset);
    const region: Region = { compressed, offset, length, blocks, blockSize, nextSeq: 0, written: 0, finished: false, inflateFailed: false };
    this.region = region;
    this.eraseNext = Math.floor(offset / SECTOR_SIZE) * SECTOR_SIZE;
    this.eraseEnd = offset + length;
    this.deferred = undefined;
    if (compressed) {
      region.inflate = new Inflate({ chunkSize: INFLATE_BUFFER });
      region.inflate.onEnd = (status: number) => {
        region.finished = true;
        region.inflateFailed = status !== 0;
      };
    }
    if (this.flavour === 'rom') this.eraseTo(this.eraseEnd);
    return OK;
  }

  data(data: Uint8Array, checksum: number, compressed: boolean): DownloadResult {
    const region = this.region;
    if (!region || region.compressed !== compressed) return fail('not-in-flash-mode');
    if (data.length < 16) return fail('bad-length');
    const length = u32(data, 0);
    const seq = u32(data, 1);
    const payload = data.subarray(16);
    if (payload.length !== length) return fail('bad-length');
    if (dataChecksum(payload) !== (checksum & 0xff)) return fail('bad-checksum');
    if (this.deferred) return this.takeDeferred();
    // A block sent again because its answer got lost was already written: accept it, change nothing.
    if (seq === region.nextSeq - 1) return OK;
    if (seq !== region.nextSeq) return fail('bad-length');
    if (region.blocks > 0 && seq >= region.blocks) return this.report('too-much-data');
    region.nextSeq++;
    const result = compressed ? this.inflateBlock(region, payload) : this.writeBlock(region, seq, payload);
    return result.ok ? OK : this.report(result.fault);
  }

  /** FLASH_END / FLASH_DEFL_END. */
  end(compressed: boolean): DownloadResult {
    const region = this.region;
    if (this.deferred) return this.takeDeferred();
    if (!region) return this.flavour === 'stub' ? fail('not-in-flash-mode') : OK;
    this.region = undefined;
    if (region.compressed !== compressed) return fail('not-in-flash-mode');
    if (this.flavour === 'stub') {
      if (compressed && region.written < region.length) return fail('not-enough-data');
      // Whatever the host did not write of the region still gets erased, as the ROM would have done.
      this.eraseTo(this.eraseEnd);
    }
    return OK;
  }

  /** The session ends (reset, stub start): a half-done download is simply abandoned. */
  abandon(): void {
    this.region = undefined;
    this.deferred = undefined;
    this.eraseEnd = this.eraseNext;
  }

  /**
   * The stub waits for the next block: it starts the next erase whenever the flash is free, until `until` or
   * until the region is erased. Only a timed flash gets ahead this way; an untimed one erases just in time.
   */
  eraseWhileIdle(until: number): void {
    if (this.flavour !== 'stub' || !this.region || !this.flash.busy.timed) return;
    while (this.eraseNext < this.eraseEnd && this.flash.busy.idleAt() < until) {
      this.eraseNext += this.flash.eraseUnitAt(this.eraseNext, this.eraseEnd);
    }
  }

  private writeBlock(region: Region, seq: number, payload: Uint8Array): DownloadResult {
    const at = region.offset + seq * region.blockSize;
    return this.program(region, at, payload);
  }

  private inflateBlock(region: Region, payload: Uint8Array): DownloadResult {
    const inflate = region.inflate!;
    if (region.finished) return fail('too-much-data');
    let result: DownloadResult = OK;
    inflate.onData = (data) => {
      const chunk = data as Uint8Array;
      if (!result.ok) return;
      if (region.written + chunk.length > region.length) {
        result = fail('too-much-data');
        return;
      }
      result = this.program(region, region.offset + region.written, chunk);
      region.written += chunk.length;
    };
    inflate.push(payload, false);
    if (region.inflateFailed) return fail('inflate');
    return result;
  }

  private program(region: Region, at: number, bytes: Uint8Array): DownloadResult {
    const end = at + bytes.length;
    if (end > this.flash.size) {
      // The padding of a last block may run past the chip; erased padding costs nothing to "write".
      if (!bytes.subarray(Math.max(0, this.flash.size - at)).every((b) => b === 0xff)) return fail('out-of-range');
      bytes = bytes.subarray(0, Math.max(0, this.flash.size - at));
    }
    if (this.flavour === 'stub') this.eraseTo(Math.min(at + bytes.length, region.offset + region.length));
    this.flash.program(at, bytes);
    return OK;
  }

  /** Erases the region up to `end` (whole sectors, 64 KiB blocks where aligned and the region goes on). */
  private eraseTo(end: number): void {
    const stop = Math.min(end, this.eraseEnd);
    while (this.eraseNext < stop) this.eraseNext += this.flash.eraseUnitAt(this.eraseNext, this.eraseEnd);
  }

  private report(fault: DownloadFault): DownloadResult {
    if (this.flavour === 'rom') return fail(fault);
    this.deferred ??= fault;
    return OK;
  }

  private takeDeferred(): DownloadResult {
    const fault = this.deferred!;
    this.deferred = undefined;
    return fail(fault);
  }
}
