// What the ROM loader and the flasher stub need from the chip, and the replies both build.
import type { NorFlash } from './flash.ts';
import type { DownloadFault, LoaderFlavour } from './flash-download.ts';
import { buildResponse, RomError, StubError } from './protocol.ts';
import type { ChipIdentity } from './registers/chips.ts';
import type { RegisterFile } from './registers/register-file.ts';

export interface LoaderContext {
  readonly chip: ChipIdentity;
  readonly flash: NorFlash;
  readonly registers: RegisterFile;
  /** True when a fault plan says the loader never answers SYNC. */
  neverSync(): boolean;
  /** SLIP-frames a packet and queues it at the UART's current baud rate, once the command's waits are over. */
  send(packet: Uint8Array): void;
  /** The command being run waits until the flash has finished what it is doing (erase, program). */
  waitForFlash(): void;
  /** Changes the UART baud rate for everything queued after this call. */
  setBaud(baud: number): void;
  /** The ROM jumped into code uploaded with MEM_*: from now on the flasher stub answers. */
  startStub(): void;
  /** Leave the loader and boot what is in flash. */
  runUserCode(): void;
  /** The CPU jumped somewhere nothing sensible lives: the chip stops answering until reset. */
  crash(): void;
  /** A software reset: strapping pins stay latched, so the chip comes back in the ROM loader. */
  softReset(): void;
}

const EMPTY = new Uint8Array(0);

/**
 * Builds and sends replies. Status bytes: ROM = err, reason, 0, 0; stub = code, 0.
 *
 * The ROM answers from one static response buffer, and it shows: `value` keeps whatever the last READ_REG
 * (or SYNC) put there, and a command the ROM does not know is answered with the previous command's op byte
 * and status 01 05, as many times as that previous answer went out (eight after SYNC). Hosts recognise
 * "unsupported" by exactly that mismatch (esptool's UnsupportedCommandError). The stub builds fresh replies.
 */
export class Replies {
  private lastOp = 0;
  private lastValue = 0;
  private repeat = 1;

  constructor(
    private readonly ctx: LoaderContext,
    readonly flavour: LoaderFlavour,
  ) {}

  ok(op: number, value?: number, body: Uint8Array = EMPTY): void {
    const status = this.flavour === 'rom' ? new Uint8Array(4) : new Uint8Array(2);
    this.ctx.send(buildResponse(op, this.valueFor(op, value), body, status));
  }

  /** SYNC's eight identical answers. */
  sync(value: number): void {
    for (let i = 0; i < 8; i++) this.ok(0x08, value);
    this.repeat = 8;
  }

  romError(op: number, reason: number): void {
    this.ctx.send(buildResponse(op, this.valueFor(op, undefined), EMPTY, Uint8Array.of(0x01, reason, 0x00, 0x00)));
  }

  stubError(op: number, code: number): void {
    this.ctx.send(buildResponse(op, 0, EMPTY, Uint8Array.of(code, 0x00)));
  }

  /** The error this loader gives for `fault`. */
  fault(op: number, fault: DownloadFault): void {
    if (this.flavour === 'rom') this.romError(op, ROM_REASON[fault]);
    else this.stubError(op, STUB_CODE[fault]);
  }

  /** A command this loader does not know: ROM 01 05 under the previous op byte, stub C3 under its own. */
  unsupported(op: number): void {
    if (this.flavour === 'stub') return this.stubError(op, StubError.INVALID_COMMAND);
    const packet = buildResponse(this.lastOp, this.lastValue, EMPTY, Uint8Array.of(0x01, RomError.INVALID_MESSAGE, 0x00, 0x00));
    for (let i = 0; i < this.repeat; i++) this.ctx.send(packet);
  }

  private valueFor(op: number, value: number | undefined): number {
    if (this.flavour === 'stub') return value ?? 0;
    this.lastOp = op;
    this.repeat = 1;
    if (value !== undefined) this.lastValue = value >>> 0;
    return this.lastValue;
  }
}

const ROM_REASON: Record<DownloadFault, number> = {
  'bad-length': RomError.INVALID_MESSAGE,
  'bad-checksum': RomError.BAD_CHECKSUM,
  'bad-blocksize': RomError.INVALID_MESSAGE,
  'not-in-flash-mode': RomError.FAILED_TO_ACT,
  inflate: RomError.DEFLATE,
  'not-enough-data': RomError.DEFLATE,
  'too-much-data': RomError.DEFLATE,
  'out-of-range': RomError.FLASH_WRITE,
};

const STUB_CODE: Record<DownloadFault, number> = {
  'bad-length': StubError.BAD_DATA_LEN,
  'bad-checksum': StubError.BAD_DATA_CHECKSUM,
  'bad-blocksize': StubError.BAD_BLOCKSIZE,
  'not-in-flash-mode': StubError.NOT_IN_FLASH_MODE,
  inflate: StubError.INFLATE,
  'not-enough-data': StubError.NOT_ENOUGH_DATA,
  'too-much-data': StubError.TOO_MUCH_DATA,
  'out-of-range': StubError.FAILED_SPI_OP,
};
