// How the host's modem lines reach the chip's EN and IO0 pins.
//
// A dev board with a USB-UART bridge (CP2102, CH340) uses two cross-coupled transistors:
//   DTR=1, RTS=0 -> IO0 low;   RTS=1, DTR=0 -> EN low (chip held in reset);   equal lines -> both released.
// So a host can never pull both low at once, and opening a port (both lines asserted together) resets nothing.
//
// The USB-Serial/JTAG peripheral of the S3/C3 has no pins to drive; it decodes line changes itself:
//   RTS=0, DTR=1 -> set the download-mode request;  RTS=0, DTR=0 -> clear it;
//   RTS=1, DTR=0 -> reset the chip now (into download mode if requested);  RTS=1, DTR=1 -> nothing.

export interface ChipPins {
  /** EN pulled low (true) or released (false). */
  setEnLow(low: boolean): void;
  /** IO0 pulled low (true) or released (false). */
  setIo0Low(low: boolean): void;
  /** A reset decided by the USB-Serial/JTAG peripheral. */
  resetFromUsb(download: boolean): void;
}

export interface ResetCircuit {
  readonly kind: 'uart-bridge' | 'usb-serial-jtag';
  /** The host changed its lines (true = asserted). */
  apply(dtr: boolean, rts: boolean): void;
}

export class TwoTransistorCircuit implements ResetCircuit {
  readonly kind = 'uart-bridge';
  constructor(private readonly pins: ChipPins) {}

  apply(dtr: boolean, rts: boolean): void {
    // IO0 first: when EN and IO0 change together, IO0 is already low as EN starts to rise.
    this.pins.setIo0Low(dtr && !rts);
    this.pins.setEnLow(rts && !dtr);
  }
}

export class UsbSerialJtagReset implements ResetCircuit {
  readonly kind = 'usb-serial-jtag';
  private downloadRequested = false;
  private last: [boolean, boolean] = [false, false];

  constructor(private readonly pins: ChipPins) {}

  apply(dtr: boolean, rts: boolean): void {
    const [lastDtr, lastRts] = this.last;
    this.last = [dtr, rts];
    if (dtr === lastDtr && rts === lastRts) return;
    if (!rts && dtr) this.downloadRequested = true;
    else if (!rts && !dtr) this.downloadRequested = false;
    else if (rts && !dtr) this.pins.resetFromUsb(this.downloadRequested);
  }
}

/** EN has an RC delay on dev boards; the ROM samples strapping pins this long after EN is released. */
export const STRAP_SAMPLE_DELAY_MS = 10;

/** The chip's EN and IO0 pins: holds the chip in reset while EN is low, samples IO0 once EN has risen. */
export class ResetPins implements ChipPins {
  private enLow = false;
  private io0Low = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly chip: {
      hold(): void;
      /** EN is high again; `io0Low` is IO0 as sampled then. */
      release(io0Low: boolean): void;
      resetFromUsb(download: boolean): void;
    },
  ) {}

  /** IO0 as the circuit drives it right now. */
  get io0(): 'low' | 'released' {
    return this.io0Low ? 'low' : 'released';
  }

  setEnLow(low: boolean): void {
    if (low === this.enLow) return;
    this.enLow = low;
    this.cancel();
    if (low) {
      this.chip.hold();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chip.release(this.io0Low);
    }, STRAP_SAMPLE_DELAY_MS);
  }

  setIo0Low(low: boolean): void {
    this.io0Low = low;
  }

  resetFromUsb(download: boolean): void {
    this.chip.resetFromUsb(download);
  }

  /** Power gone: nothing drives the pins and no strap sampling is pending. */
  release(): void {
    this.cancel();
    this.enLow = false;
    this.io0Low = false;
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
