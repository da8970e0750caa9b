// What MicroPython prints, as the board's UART sends it: "\n" cooked to "\r\n" (the WebAssembly port prints bare
// "\n" where a board's mp_hal_stdout_tx_strn_cooked sends both), and the banner naming the board, not the port.
import type { ChipName } from '../registers/chips.ts';

/** MICROPY_HW_BOARD_NAME " with " MICROPY_HW_MCU_NAME of the generic builds. */
const MACHINES: Record<ChipName, string> = {
  esp32: 'Generic ESP32 module with ESP32',
  esp32s3: 'Generic ESP32S3 module with ESP32S3',
  esp32c3: 'ESP32C3 module with ESP32C3',
};

const PORT_MACHINE = 'JS with Emscripten';

export class ConsoleOutput {
  /** One char per byte (latin1), so nothing is decoded until the host does. */
  private text = '';
  private lastByte = 0;

  constructor(private readonly chip: ChipName) {}

  push(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (byte === 0x0a && this.lastByte !== 0x0d) this.text += '\r';
      this.text += String.fromCharCode(byte);
      this.lastByte = byte;
    }
  }

  /** Everything printed since the last take. */
  take(): string {
    const text = this.text.replaceAll(PORT_MACHINE, MACHINES[this.chip]);
    this.text = '';
    return text;
  }
}
