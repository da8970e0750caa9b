// The part of the chip's address space a flasher touches: READ_REG/WRITE_REG land here, and a write of
// SPI_CMD_USR to SPI1's command register runs a raw SPI command against the flash chip.
import { XTAL_HZ, type ChipIdentity } from './chips.ts';
import { SpiFlashCommands } from './spi-flash.ts';

const SPI_CMD_USR = 1 << 18;
const SPI_USR_ADDR = 1 << 30;
const SPI_USR_MISO = 1 << 28;
const SPI_USR_MOSI = 1 << 27;

export interface RegisterFileOptions {
  chip: ChipIdentity;
  mac: Uint8Array;
  flashSize: number;
  /** The chip UART's current baud rate, which UART_CLKDIV reflects. */
  baud: () => number;
  /** True when the loader talks over the USB-Serial/JTAG peripheral rather than UART0. */
  usbSerialJtag: boolean;
}

export class RegisterFile {
  private readonly fixed: Map<number, number>;
  private readonly written = new Map<number, number>();
  private readonly spiFlash: SpiFlashCommands;

  constructor(private readonly options: RegisterFileOptions) {
    this.fixed = options.chip.fixedRegisters(options.mac);
    this.spiFlash = new SpiFlashCommands(options.flashSize);
  }

  read(address: number): number {
    const addr = address >>> 0;
    const { chip } = this.options;
    if (addr === chip.uartClkdivReg) return uartClkdiv(this.options.baud());
    if (chip.uartDevBufNo && addr === chip.uartDevBufNo.address) {
      return this.options.usbSerialJtag ? chip.uartDevBufNo.usbSerialJtag : 0;
    }
    const fixed = this.fixed.get(addr);
    if (fixed !== undefined) return fixed >>> 0;
    return (this.written.get(addr) ?? 0) >>> 0;
  }

  write(address: number, value: number, mask = 0xffffffff): void {
    const addr = address >>> 0;
    if (this.fixed.has(addr)) return; // eFuses and ROM constants are read-only
    const merged = ((this.read(addr) & ~mask) | (value & mask)) >>> 0;
    this.written.set(addr, merged);
    const spi = this.options.chip.spi;
    if (addr === spi.base && merged & SPI_CMD_USR) {
      this.runSpiUserCommand();
      // The command finishes at once, so the first poll of SPI_CMD already sees the USR bit clear.
      this.written.set(addr, (merged & ~SPI_CMD_USR) >>> 0);
    }
  }

  /** Forgets everything written (a chip reset). */
  reset(): void {
    this.written.clear();
  }

  private runSpiUserCommand(): void {
    const spi = this.options.chip.spi;
    const reg = (offset: number): number => this.read(spi.base + offset);
    const usr = reg(spi.usr);
    const command = reg(spi.usr2) & 0xff;
    let address = 0;
    if (usr & SPI_USR_ADDR) {
      const addressBits = ((reg(spi.usr1) >>> 26) & 0x3f) + 1;
      // The address is MSB-aligned in SPI_ADDR on these chips (esptool's SPI_ADDR_REG_MSB).
      address = addressBits >= 32 ? reg(0x04) : reg(0x04) >>> (32 - addressBits);
    }
    const mosi = usr & SPI_USR_MOSI ? reg(spi.w0) : 0;
    const misoBits = usr & SPI_USR_MISO ? reg(spi.misoDlen) + 1 : 0;
    const result = this.spiFlash.run(command, address, mosi, misoBits);
    if (misoBits > 0) this.written.set(spi.base + spi.w0, result >>> 0);
  }
}

/** UART_CLKDIV: integer divider in bits 19:0, fraction (1/16ths) in bits 23:20, from the 40 MHz clock. */
export function uartClkdiv(baud: number): number {
  const divider = XTAL_HZ / baud;
  const integer = Math.floor(divider);
  const fraction = Math.round((divider - integer) * 16) & 0xf;
  return ((fraction << 20) | (integer & 0xfffff)) >>> 0;
}
