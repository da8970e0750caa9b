// The first-stage ROM's serial download mode ("waiting for download"): 4-byte status, no erase/read-flash
// commands, GET_SECURITY_INFO only on S3/C3 and later, 01 05 for anything it does not know.
import { FlashDownload } from './flash-download.ts';
import * as common from './loader-commands.ts';
import { Replies, type LoaderContext } from './loader-context.ts';
import { Op, parseRequest, RomError, u32, type Request } from './protocol.ts';
import { securityInfo } from './registers/chips.ts';

export class RomLoader {
  private readonly replies: Replies;
  private readonly download: FlashDownload;
  private readonly ram = new common.RamUpload();

  constructor(private readonly ctx: LoaderContext) {
    this.replies = new Replies(ctx, 'rom');
    this.download = new FlashDownload(ctx.flash, 'rom');
  }

  /** The ROM erases a whole region at FLASH_BEGIN: nothing is left to do between commands. */
  idle(_from: number, _until: number): void {}

  handleFrame(frame: Uint8Array): void {
    const req = parseRequest(frame);
    if (!req) return; // not a request: the ROM ignores it
    if (req.declaredLength !== req.data.length) {
      this.replies.romError(req.op, RomError.INVALID_MESSAGE);
      return;
    }
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
      case Op.FLASH_DEFL_DATA:
        return this.answer(req.op, this.download.data(req.data, req.checksum, req.op === Op.FLASH_DEFL_DATA));
      case Op.FLASH_END:
      case Op.FLASH_DEFL_END:
        return this.flashEnd(req);
      case Op.READ_FLASH_SLOW:
        return this.readFlashSlow(req);
      case Op.MEM_BEGIN:
        return this.ram.begin(replies, req);
      case Op.MEM_DATA:
        return this.ram.data(replies, req);
      case Op.MEM_END: {
        const outcome = this.ram.end(replies, req);
        // Jumping to an address nothing was uploaded to would crash the CPU: the chip goes silent.
        if (outcome?.jump) {
          if (outcome.entryInUploadedCode) ctx.startStub();
          else ctx.crash();
        }
        return;
      }
      case Op.GET_SECURITY_INFO:
        if (!ctx.chip.romHasSecurityInfo) return replies.unsupported(req.op);
        return replies.ok(req.op, undefined, securityInfo(ctx.chip));
      default:
        return replies.unsupported(req.op);
    }
  }

  /** The ROM erases (BEGIN) and writes (DATA) before it answers. */
  private answer(op: number, result: ReturnType<FlashDownload['begin']>): void {
    this.ctx.waitForFlash();
    if (result.ok) this.replies.ok(op);
    else this.replies.fault(op, result.fault);
  }

  /** FLASH_END <flag>: 1 = run the user code now, 0 = reboot (back into this loader: IO0 stays latched). */
  private flashEnd(req: Request): void {
    if (req.data.length !== 4) return this.replies.fault(req.op, 'bad-length');
    const result = this.download.end(req.op === Op.FLASH_DEFL_END);
    this.ctx.waitForFlash();
    if (!result.ok) return this.replies.fault(req.op, result.fault);
    this.replies.ok(req.op);
    if (u32(req.data, 0) === 0) this.ctx.softReset();
    else this.ctx.runUserCode();
  }

  /** READ_FLASH_SLOW <offset, length ≤ 64>: always 64 bytes of data back. */
  private readFlashSlow(req: Request): void {
    if (req.data.length !== 8) return this.replies.fault(req.op, 'bad-length');
    const offset = u32(req.data, 0);
    const length = u32(req.data, 1);
    if (length > 64) return this.replies.romError(req.op, RomError.BAD_READ_LENGTH);
    if (!this.ctx.flash.contains(offset, length)) return this.replies.romError(req.op, RomError.FLASH_READ);
    this.ctx.waitForFlash();
    const body = new Uint8Array(64).fill(0xff);
    body.set(this.ctx.flash.view(offset, Math.min(64, this.ctx.flash.size - offset)));
    this.replies.ok(req.op, undefined, body);
  }
}
