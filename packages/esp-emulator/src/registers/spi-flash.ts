// The flash chip's answers to raw SPI commands, as a host sees them through the SPI1 user-command registers
// (esptool's flash_id, SFDP probe, status-register reads before unprotecting the chip).

/** Winbond W25Q family: manufacturer 0xEF, memory type 0x40, capacity byte = log2(size). */
export function jedecId(flashSize: number): number {
  const capacity = Math.log2(flashSize);
  return (capacity << 16) | (0x40 << 8) | 0xef;
}

/** A JESD216 SFDP area: header, one parameter header, the basic flash parameter table. */
export function sfdpTable(flashSize: number): Uint8Array {
  const table = new Uint8Array(0x80).fill(0xff);
  const view = new DataView(table.buffer);
  view.setUint32(0x00, 0x50444653, true); // "SFDP"
  table.set([0x06, 0x01, 0x00, 0xff], 0x04); // revision 1.6, one parameter header
  table.set([0x00, 0x06, 0x01, 0x10, 0x30, 0x00, 0x00, 0xff], 0x08); // basic table, 16 dwords at 0x30
  const basic = [
    0xfff920e5, // 4 KiB erase with 0x20, 3-byte addressing, fast reads
    flashSize * 8 - 1, // density in bits, minus one
    0x6b08eb44, 0xbb423b08, 0xfffffffe, 0x0000ffff, 0xeb40ffff, 0x520f200c,
    0x0000d810, 0x00a60236, 0xc414ea82, 0x337663e9, 0x757a757a, 0x5cd5a2f7, 0xff4df719, 0x80f830e9,
  ];
  basic.forEach((word, i) => view.setUint32(0x30 + i * 4, word >>> 0, true));
  return table;
}

export class SpiFlashCommands {
  private status = 0x0000;
  private readonly sfdp: Uint8Array;
  private readonly id: number;

  constructor(flashSize: number) {
    this.sfdp = sfdpTable(flashSize);
    this.id = jedecId(flashSize);
  }

  /**
   * Runs one command. `mosi` is what the host clocked out after command and address; the result is what
   * comes back on MISO, packed little-endian into a 32-bit word as it lands in SPI_W0.
   */
  run(command: number, address: number, mosi: number, misoBits: number): number {
    switch (command) {
      case 0x9f: // RDID
        return this.id;
      case 0x5a: { // SFDP read (address + 8 dummy clocks)
        let word = 0;
        for (let i = 0; i < 4; i++) word |= (this.sfdp[(address + i) & 0xff] ?? 0xff) << (8 * i);
        return word >>> 0;
      }
      case 0x05: // RDSR
        return this.status & 0xff;
      case 0x35: // RDSR2
        return (this.status >> 8) & 0xff;
      case 0x15: // RDSR3
        return 0;
      case 0x06: // WREN
        this.status |= 0x02;
        return 0;
      case 0x04: // WRDI
        this.status &= ~0x02;
        return 0;
      case 0x01: // WRSR (one or two bytes); write-enable latch clears afterwards
        if (this.status & 0x02) this.status = mosi & 0xfffc;
        return 0;
      case 0x31: // WRSR2
        if (this.status & 0x02) this.status = ((mosi & 0xff) << 8) | (this.status & 0xfc);
        return 0;
      case 0x4b: // unique id
        return 0x1f2e3d4c;
      case 0x66: // reset enable
      case 0x99: // reset
      case 0xab: // release from power-down
      case 0xb9: // power-down
        return 0;
      default:
        // Nobody drives MISO: the lines float high.
        return misoBits >= 32 ? 0xffffffff : ((1 << misoBits) - 1) >>> 0;
    }
  }
}
