// The simulated board: FieldFlash's ESP32 emulator in this page, behind the same Web Serial surface as a real port.
import type { EspEmulator } from '@fieldflash/esp-emulator';
import { SIMULATED_CHIPS, type SimulatedChip } from './flash-state.ts';

export class SimulatedDevice {
  private constructor(
    readonly chip: SimulatedChip,
    readonly flashSize: number,
    private readonly emulator: EspEmulator,
    private readonly makePort: (emulator: EspEmulator) => SerialPort,
  ) {}

  /** Loads the emulator's code only when someone asks for a simulated board. */
  static async create(chip: SimulatedChip, flashSize: number): Promise<SimulatedDevice> {
    const { EspEmulator, EmulatedSerialPort } = await import('@fieldflash/esp-emulator');
    const emulator = new EspEmulator({ chip, flashSize, wireTime: true });
    return new SimulatedDevice(chip, flashSize, emulator, (e) => new EmulatedSerialPort(e) as unknown as SerialPort);
  }

  get chipLabel(): string {
    return SIMULATED_CHIPS.find((c) => c.id === this.chip)?.label ?? this.chip;
  }

  get plugged(): boolean {
    return this.emulator.plugged;
  }

  setWireTime(on: boolean): void {
    this.emulator.setWireTime(on);
  }

  /** A fresh port object, as the browser hands out after a device is plugged in. */
  openPort(): SerialPort {
    return this.makePort(this.emulator);
  }

  /** The cable comes out once `bytes` more bytes have crossed it (0: now). */
  pullCableAfter(bytes: number): void {
    this.emulator.setFaults({ pullCableAfterBytes: bytes });
  }

  replug(): void {
    this.emulator.replug();
  }

  /** The whole emulated flash, as a .bin a technician could inspect. */
  flashImage(): Uint8Array {
    return this.emulator.readFlash(0, this.flashSize);
  }
}
