// The flasher stub, as esptool(-js) uploads it to RAM: 2-byte status, erase and read commands, 16 KiB blocks,
// security info on S3/C3 (its ESP32 build answers "not implemented"), C3 for unknown commands.
import { FlashDownload } from './flash-download.ts';
import * as common from './loader-commands.ts';
import { Replies, type LoaderContext } from './loader-context.ts';
import { Op, parseRequest, StubError, u32, type Request } from './protocol.ts';
import { securityInfo } from './registers/chips.ts';
import { ReadFlashSession } from './read-flash.ts';
import { SECTOR_SIZE } from './flash.ts';

const OHAI = Uint8Array.from([0x4f, 0x48, 0x41, 0x49]);

export class FlasherStub {
  private readonly replies: Replies;
  private readonly download: FlashDownload;
  private readonly ram = new common.RamUpload();
  private reading: ReadFlashSession | undefined;

  constructor(private readonly ctx: LoaderContext) {
    this.replies = new Replies(ctx, 'stub');
    this.download = new FlashDownload(ctx.flash, 'stub');
  }

  /** Between commands the stub keeps erasing ahead of the download in progress. */
  idle(_from: number, until: number): void {
    this.download.eraseWhileIdle(until);
  }

  /** The stub's first words: a bare "OHAI" frame. */
  greet(): void {
    this.ctx.send(OHAI);
  }

  handleFrame(frame: Uint8Array): void {
    if (this.reading && !this.reading.finished) {
      if (this.reading.acknowledge(frame)) return;
      this.reading = undefined;
    }
    const req = parseRequest(frame);
    if (!req) return;
    if (req.declaredLength !== req.data.length) return this.replies.stubError(req.op, StubError.BAD_DATA_LEN);
    this.handle(req);
  }

  private handle(req: Request): void {
    const { ctx, replies } = this;
    if (common.handleShared(ctx, replies, req)) return;
    switch (req.op) {
      case Op.FLASH_BEGIN:
      case Op.FLASH_DEFL_BEGIN:
        return this.answer(req.op, this.download.begin(req.data, req.op === Op.FLASH_DEFL_BEGIN));
      case Op.FLASH_DATA:
      case Op.FLASH_DEFL_DATA: {
        // Acknowledged on arrival. A block that is written (every plain block; a compressed one that fills the
        // inflate buffer) keeps the CPU until that write and the erases before it are done, then the next command is
        // read. A compressed block that only adds to the buffer leaves the flash to whatever erase it is doing:
        // esptool's flasher_stub/stub_write_flash.c and esp-flasher-stub's src/command_handler.c write only when
        // their 32 KiB buffer is full.
        const programmed = ctx.flash.counters.bytesProgrammed;
        this.answer(req.op, this.download.data(req.data, req.checksum, req.op === Op.FLASH_DEFL_DATA));
        if (ctx.flash.counters.bytesProgrammed !== programmed) ctx.waitForFlash();
        return;
      }
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END:
        return this.flashEnd(req);
      case Op.MEM_BEGIN:
        return this.ram.begin(replies, req);
      case Op.MEM_DATA:
        return this.ram.data(replies, req);
      case Op.MEM_END: {
        const outcome = this.ram.end(replies, req);
        if (outcome?.jump) {
          if (outcome.entryInUploadedCode) ctx.startStub();
          else ctx.crash();
        }
        return;
      }
      case Op.GET_SECURITY_INFO:
        if (!ctx.chip.romHasSecurityInfo) return replies.stubError(req.op, StubError.NOT_IMPLEMENTED);
        return replies.ok(req.op, 0, securityInfo(ctx.chip));
      case Op.ERASE_FLASH:
        ctx.flash.eraseAll();
        ctx.waitForFlash();
        return replies.ok(req.op);
      case Op.ERASE_REGION:
        return this.eraseRegion(req);
      case Op.READ_FLASH:
        return this.readFlash(req);
      case Op.RUN_USER_CODE:
        return ctx.runUserCode();
      default:
        return replies.unsupported(req.op);
    }
  }

  private answer(op: number, result: ReturnType<FlashDownload['begin']>): void {
    if (result.ok) this.replies.ok(op);
    else this.replies.fault(op, result.fault);
  }

  /** FLASH_END <flag>: 1 = stay in the stub, 0 = reboot into the ROM loader. */
  private flashEnd(req: Request): void {
    if (req.data.length !== 4) return this.replies.fault(req.op, 'bad-length');
    const result = this.download.end(req.op === Op.FLASH_DEFL_END);
    this.ctx.waitForFlash();
    if (!result.ok) return this.replies.fault(req.op, result.fault);
    this.replies.ok(req.op);
    if (u32(req.data, 0) === 0) this.ctx.softReset();
  }

  private eraseRegion(req: Request): void {
    if (req.data.length !== 8) return this.replies.stubError(req.op, StubError.BAD_DATA_LEN);
    const offset = u32(req.data, 0);
    const size = u32(req.data, 1);
    if (offset % SECTOR_SIZE !== 0 || size % SECTOR_SIZE !== 0) return this.replies.stubError(req.op, StubError.BAD_DATA_LEN);
    if (!this.ctx.flash.contains(offset, size)) return this.replies.stubError(req.op, StubError.FAILED_SPI_OP);
    this.ctx.flash.eraseRange(offset, size);
    this.ctx.waitForFlash();
    this.replies.ok(req.op);
  }

  private readFlash(req: Request): void {
    if (req.data.length !== 16) return this.replies.stubError(req.op, StubError.BAD_DATA_LEN);
    const [offset, length, blockSize, maxInFlight] = [0, 1, 2, 3].map((i) => u32(req.data, i)) as [number, number, number, number];
    if (blockSize === 0 || blockSize > 0x4000) return this.replies.stubError(req.op, StubError.BAD_BLOCKSIZE);
    if (!this.ctx.flash.contains(offset, length)) return this.replies.stubError(req.op, StubError.FAILED_SPI_OP);
    this.ctx.waitForFlash();
    this.replies.ok(req.op);
    this.reading = new ReadFlashSession(this.ctx.flash, offset, length, blockSize, maxInFlight, (payload) => this.ctx.send(payload));
    this.reading.start();
  }
}
