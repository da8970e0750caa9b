// Commands the ROM loader and the stub implement the same way apart from reply format.
import SparkMD5 from 'spark-md5';
import type { LoaderContext, Replies } from './loader-context.ts';
import { dataChecksum, Op, RomError, StubError, SYNC_PAYLOAD, u32, type Request } from './protocol.ts';

/** SYNC: eight identical answers. The ROM's value is non-zero, the stub's is 0 (how esptool spots a running stub). */
export function sync(ctx: LoaderContext, replies: Replies, req: Request): void {
  if (req.data.length !== SYNC_PAYLOAD.length || !req.data.every((b, i) => b === SYNC_PAYLOAD[i])) {
    replies.unsupported(Op.SYNC);
    return;
  }
  if (ctx.neverSync()) return;
  replies.sync(replies.flavour === 'rom' ? 0x20120707 : 0);
}

export function readReg(ctx: LoaderContext, replies: Replies, req: Request): void {
  if (req.data.length !== 4) return replies.fault(Op.READ_REG, 'bad-length');
  replies.ok(Op.READ_REG, ctx.registers.read(u32(req.data, 0)));
}

/** WRITE_REG carries one or more <address, value, mask, delay µs> records. */
export function writeReg(ctx: LoaderContext, replies: Replies, req: Request): void {
  if (req.data.length === 0 || req.data.length % 16 !== 0) return replies.fault(Op.WRITE_REG, 'bad-length');
  for (let i = 0; i < req.data.length / 16; i++) {
    ctx.registers.write(u32(req.data, i * 4), u32(req.data, i * 4 + 1), u32(req.data, i * 4 + 2));
  }
  replies.ok(Op.WRITE_REG);
}

/** SPI_SET_PARAMS (24 bytes) tells the loader the flash geometry; the fitted chip does not change. */
export function spiSetParams(_ctx: LoaderContext, replies: Replies, req: Request): void {
  if (req.data.length !== 24) return replies.fault(Op.SPI_SET_PARAMS, 'bad-length');
  replies.ok(Op.SPI_SET_PARAMS);
}

/** SPI_ATTACH: ROM takes 8 bytes (config + legacy flag), the stub 4; both forms are answered. */
export function spiAttach(_ctx: LoaderContext, replies: Replies, req: Request): void {
  if (req.data.length !== 4 && req.data.length !== 8) return replies.fault(Op.SPI_ATTACH, 'bad-length');
  replies.ok(Op.SPI_ATTACH);
}

/** CHANGE_BAUDRATE: the answer still goes out at the old rate, then the UART switches. */
export function changeBaudrate(ctx: LoaderContext, replies: Replies, req: Request): void {
  if (req.data.length !== 8) return replies.fault(Op.CHANGE_BAUDRATE, 'bad-length');
  const baud = u32(req.data, 0);
  if (baud < 300 || baud > 5_000_000) {
    if (replies.flavour === 'rom') replies.romError(Op.CHANGE_BAUDRATE, RomError.FAILED_TO_ACT);
    else replies.stubError(Op.CHANGE_BAUDRATE, StubError.BAD_DATA_LEN);
    return;
  }
  replies.ok(Op.CHANGE_BAUDRATE);
  ctx.setBaud(baud);
}

/** SPI_FLASH_MD5: the ROM answers 32 lowercase hex characters, the stub 16 raw bytes. */
export function flashMd5(ctx: LoaderContext, replies: Replies, req: Request): void {
  if (req.data.length !== 16) return replies.fault(Op.SPI_FLASH_MD5, 'bad-length');
  const offset = u32(req.data, 0);
  const size = u32(req.data, 1);
  if (!ctx.flash.contains(offset, size)) return replies.fault(Op.SPI_FLASH_MD5, 'out-of-range');
  ctx.waitForFlash(); // reading waits for an erase or program in progress
  const digest = md5Raw(ctx.flash.view(offset, size));
  const body = replies.flavour === 'rom' ? new TextEncoder().encode(toHex(digest)) : digest;
  replies.ok(Op.SPI_FLASH_MD5, undefined, body);
}

export function md5Raw(bytes: Uint8Array): Uint8Array {
  const md5 = new SparkMD5.ArrayBuffer();
  const step = 0x10000;
  for (let i = 0; i < bytes.length; i += step) {
    const part = bytes.subarray(i, i + step);
    md5.append(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer);
  }
  const raw = md5.end(true);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** MEM_BEGIN/DATA/END: code uploaded to RAM. Only where it lands matters here, not what it says. */
export class RamUpload {
  private current: { offset: number; size: number; blocks: number; blockSize: number; nextSeq: number } | undefined;
  private readonly regions: Array<[number, number]> = [];

  begin(replies: Replies, req: Request): void {
    if (req.data.length !== 16) return replies.fault(Op.MEM_BEGIN, 'bad-length');
    const [size, blocks, blockSize, offset] = [0, 1, 2, 3].map((i) => u32(req.data, i)) as [number, number, number, number];
    this.current = { offset, size, blocks, blockSize, nextSeq: 0 };
    this.regions.push([offset, offset + size]);
    replies.ok(Op.MEM_BEGIN);
  }

  data(replies: Replies, req: Request): void {
    const current = this.current;
    if (!current) return replies.fault(Op.MEM_DATA, 'not-in-flash-mode');
    if (req.data.length < 16) return replies.fault(Op.MEM_DATA, 'bad-length');
    const length = u32(req.data, 0);
    const seq = u32(req.data, 1);
    const payload = req.data.subarray(16);
    if (payload.length !== length || length > current.blockSize) return replies.fault(Op.MEM_DATA, 'bad-length');
    if (dataChecksum(payload) !== (req.checksum & 0xff)) return replies.fault(Op.MEM_DATA, 'bad-checksum');
    if (seq >= current.blocks) return replies.fault(Op.MEM_DATA, 'too-much-data');
    current.nextSeq = seq + 1;
    replies.ok(Op.MEM_DATA);
  }

  /** Returns the entry point to jump to, or undefined when the host only wanted the data loaded. */
  end(replies: Replies, req: Request): { jump: boolean; entryInUploadedCode: boolean } | undefined {
    if (req.data.length !== 8) {
      replies.fault(Op.MEM_END, 'bad-length');
      return undefined;
    }
    const noEntry = u32(req.data, 0);
    const entry = u32(req.data, 1);
    this.current = undefined;
    replies.ok(Op.MEM_END);
    return { jump: noEntry === 0, entryInUploadedCode: this.regions.some(([lo, hi]) => entry >= lo && entry < hi) };
  }
}

/** The commands the ROM loader and the stub answer alike. Returns false for any other op. */
export function handleShared(ctx: LoaderContext, replies: Replies, req: Request): boolean {
  switch (req.op) {
    case Op.SYNC: sync(ctx, replies, req); return true;
    case Op.READ_REG: readReg(ctx, replies, req); return true;
    case Op.WRITE_REG: writeReg(ctx, replies, req); return true;
    case Op.SPI_SET_PARAMS: spiSetParams(ctx, replies, req); return true;
    case Op.SPI_ATTACH: spiAttach(ctx, replies, req); return true;
    case Op.CHANGE_BAUDRATE: changeBaudrate(ctx, replies, req); return true;
    case Op.SPI_FLASH_MD5: flashMd5(ctx, replies, req); return true;
    default: return false;
  }
}
