// The simulated board: FieldFlash's ESP32 emulator in this page, behind the same Web Serial surface as a real port.
import type { EspEmulator, FaultPlan, SimulatedWifi } from '@fieldflash/esp-emulator';
import { SIMULATED_CHIPS, type LastingFaults, type SimulatedChip } from './flash-state.ts';
// The simulated board's MicroPython runs the WebAssembly port; Vite serves its .wasm as an asset of this build.
import micropythonWasmUrl from '@micropython/micropython-webassembly-pyscript/micropython.wasm?url';

export class SimulatedDevice {
  private lasting: LastingFaults = { maxReliableBaud: undefined, neverSync: false, bootFault: undefined };

  private constructor(
    readonly chip: SimulatedChip,
    readonly flashSize: number,
    private readonly emulator: EspEmulator,
    private readonly makePort: (emulator: EspEmulator) => SerialPort,
  ) {}

  /** Loads the emulator's code only when someone asks for a simulated board. */
  static async create(chip: SimulatedChip, flashSize: number): Promise<SimulatedDevice> {
    const { EspEmulator, EmulatedSerialPort } = await import('@fieldflash/esp-emulator');
    // A fresh board straight from the factory: its ROM waits in download mode only when reset with BOOT held.
    const emulator = new EspEmulator({ chip, flashSize, wireTime: true, micropythonWasmUrl });
    return new SimulatedDevice(chip, flashSize, emulator, (e) => new EmulatedSerialPort(e) as unknown as SerialPort);
  }

  get chipLabel(): string {
    return SIMULATED_CHIPS.find((c) => c.id === this.chip)?.label ?? this.chip;
  }

  get plugged(): boolean {
    return !this.emulator.isUnplugged;
  }

  get faults(): Readonly<LastingFaults> {
    return this.lasting;
  }

  /** Calls back when the cable comes out or goes back in (a pull may fire mid-write, long after it was armed). */
  onCableChange(listener: () => void): void {
    this.emulator.addEventListener('unplug', listener);
    this.emulator.addEventListener('replug', listener);
  }

  setWireTime(on: boolean): void {
    this.emulator.wireTime = on;
  }

  /** Erases and writes take a real flash chip's time (a whole 4 MB erase: about 10 s). */
  setFlashTime(on: boolean): void {
    this.emulator.flashTime = on;
  }

  /** A fresh port object, as the browser hands out after a device is plugged in. */
  openPort(): SerialPort {
    return this.makePort(this.emulator);
  }

  /** The cable comes out once `bytes` more bytes have gone to the board (0: now). */
  pullCableAfter(bytes: number): void {
    if (bytes <= 0) {
      this.emulator.unplug();
      return;
    }
    this.emulator.setFaults({ ...this.lastingPlan(), unplug: { afterBytes: bytes } });
  }

  replug(): void {
    // A pull that was armed but never happened is forgotten with the re-plug.
    this.emulator.setFaults(this.lastingPlan());
    this.emulator.replug();
  }

  setLastingFaults(faults: LastingFaults): void {
    this.lasting = { ...faults };
    this.emulator.bootFault = faults.bootFault;
    const armed = this.emulator.faultPlan.unplug;
    this.emulator.setFaults(armed && this.plugged ? { ...this.lastingPlan(), unplug: armed } : this.lastingPlan());
  }

  /** The networks around the board and the URL its demo app reports after joining one. */
  get wifi(): Readonly<SimulatedWifi> {
    return this.emulator.wifi;
  }

  /** Throws (RangeError, in words for people) when the change is not one a real network could have. */
  setWifi(change: Partial<SimulatedWifi>): void {
    this.emulator.setWifi(change);
  }

  /** The whole emulated flash, as a .bin a technician could inspect. */
  flashImage(): Uint8Array {
    return this.emulator.readFlash(0, this.flashSize);
  }

  private lastingPlan(): FaultPlan {
    const plan: FaultPlan = {};
    if (this.lasting.maxReliableBaud !== undefined) plan.maxReliableBaud = this.lasting.maxReliableBaud;
    if (this.lasting.neverSync) plan.neverSync = true;
    return plan;
  }
}
