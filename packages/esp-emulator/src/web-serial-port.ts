// The emulated board as a Web Serial SerialPort, behaving as Chrome's does where esptool-js and the app can
// tell: lazily created streams that are replaced after cancel/close, modem lines asserted on open, the
// readable and writable erroring with NetworkError "The device has been lost." when the cable comes out,
// 'disconnect'/'connect' events, open() failing while unplugged.
import type { EspEmulator, HostConnection } from './emulator.ts';

export interface EmulatedSerialPortOptions {
  /** Defaults: CP2102 (0x10c4/0xea60) for a UART bridge, Espressif USB-Serial/JTAG (0x303a/0x1001) otherwise. */
  usbVendorId?: number;
  usbProductId?: number;
}

type PortState = 'closed' | 'opened' | 'forgotten';

const deviceLost = (): DOMException => new DOMException('The device has been lost.', 'NetworkError');

export class EmulatedSerialPort extends EventTarget {
  onconnect: ((this: SerialPort, ev: Event) => void) | null = null;
  ondisconnect: ((this: SerialPort, ev: Event) => void) | null = null;

  private state: PortState = 'closed';
  private connection: HostConnection | undefined;
  private baudRate = 0;
  private signals = { dataTerminalReady: false, requestToSend: false };
  private readableStream: ReadableStream<Uint8Array> | null = null;
  private readController: ReadableStreamDefaultController<Uint8Array> | null = null;
  /** Bytes that arrived while no readable existed (the OS buffers them for the next one). */
  private pending: Uint8Array[] = [];
  private writableStream: WritableStream<Uint8Array> | null = null;
  private writeController: WritableStreamDefaultController | null = null;
  private fatal = false;
  private lostWaiters = new Set<(error: DOMException) => void>();
  private readonly info: SerialPortInfo;

  constructor(
    private readonly chip: EspEmulator,
    options: EmulatedSerialPortOptions = {},
  ) {
    super();
    const jtag = chip.usb === 'usb-serial-jtag';
    this.info = {
      usbVendorId: options.usbVendorId ?? (jtag ? 0x303a : 0x10c4),
      usbProductId: options.usbProductId ?? (jtag ? 0x1001 : 0xea60),
    };
    chip.addEventListener('unplug', () => this.fire('disconnect'));
    chip.addEventListener('replug', () => this.fire('connect'));
  }

  get connected(): boolean {
    return !this.chip.isUnplugged && this.state !== 'forgotten';
  }

  get readable(): ReadableStream<Uint8Array> | null {
    if (this.readableStream) return this.readableStream;
    if (this.state !== 'opened' || this.fatal) return null;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.readController = controller;
      },
      cancel: () => {
        // Cancelling discards what the OS had buffered; the next readable starts empty.
        if (this.readableStream === stream) this.dropReadable();
        this.pending = [];
      },
    });
    this.readableStream = stream;
    for (const chunk of this.pending.splice(0)) this.readController!.enqueue(chunk);
    return stream;
  }

  get writable(): WritableStream<Uint8Array> | null {
    if (this.writableStream) return this.writableStream;
    if (this.state !== 'opened' || this.fatal) return null;
    const stream: WritableStream<Uint8Array> = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.writeController = controller;
      },
      write: (chunk) => this.send(toBytes(chunk)),
      close: () => {
        if (this.writableStream === stream) this.dropWritable();
      },
      abort: () => {
        if (this.writableStream === stream) this.dropWritable();
      },
    });
    this.writableStream = stream;
    return stream;
  }

  async open(options: SerialOptions): Promise<void> {
    if (this.state === 'forgotten') throw new DOMException('The port has been forgotten.', 'InvalidStateError');
    if (this.state === 'opened') throw new DOMException('The port is already open.', 'InvalidStateError');
    validateOptions(options);
    if (this.chip.isUnplugged) throw new DOMException('Failed to open serial port.', 'NetworkError');
    try {
      this.connection = this.chip.attach({
        baud: () => this.baudRate,
        receive: (bytes) => this.receive(bytes),
        lost: () => this.lose(),
      });
    } catch {
      throw new DOMException('Failed to open serial port.', 'NetworkError');
    }
    this.baudRate = options.baudRate;
    this.state = 'opened';
    this.fatal = false;
    this.pending = [];
    // Opening a tty raises DTR and RTS together; on the auto-reset circuit that changes neither EN nor IO0.
    this.signals = { dataTerminalReady: true, requestToSend: true };
    this.connection.setSignals(true, true);
  }

  async close(): Promise<void> {
    if (this.state !== 'opened') throw new DOMException('The port is already closed.', 'InvalidStateError');
    if (this.readableStream?.locked || this.writableStream?.locked) {
      throw new TypeError("Failed to execute 'close' on 'SerialPort': Cannot cancel a locked stream");
    }
    await this.readableStream?.cancel().catch(() => undefined);
    await this.writableStream?.close().catch(() => undefined);
    this.dropReadable();
    this.dropWritable();
    // Closing drops the modem lines.
    this.signals = { dataTerminalReady: false, requestToSend: false };
    this.connection?.setSignals(false, false);
    this.connection?.detach();
    this.connection = undefined;
    this.state = 'closed';
    this.pending = [];
  }

  async setSignals(signals: SerialOutputSignals): Promise<void> {
    if (this.state !== 'opened') throw new DOMException('The port is closed.', 'InvalidStateError');
    if (signals.dataTerminalReady === undefined && signals.requestToSend === undefined && signals.break === undefined) {
      throw new TypeError('Signals dictionary must contain at least one member.');
    }
    if (this.fatal) throw new DOMException('Failed to set control signals.', 'NetworkError');
    if (signals.dataTerminalReady !== undefined) this.signals.dataTerminalReady = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) this.signals.requestToSend = signals.requestToSend;
    this.connection?.setSignals(this.signals.dataTerminalReady, this.signals.requestToSend);
  }

  async getSignals(): Promise<SerialInputSignals> {
    if (this.state !== 'opened') throw new DOMException('The port is closed.', 'InvalidStateError');
    if (this.fatal) throw new DOMException('Failed to get control signals.', 'NetworkError');
    return { dataCarrierDetect: false, clearToSend: false, ringIndicator: false, dataSetReady: false };
  }

  getInfo(): SerialPortInfo {
    return { ...this.info };
  }

  async forget(): Promise<void> {
    if (this.state === 'opened') {
      this.readController?.error(new DOMException('The port has been forgotten.', 'InvalidStateError'));
      this.connection?.detach();
      this.connection = undefined;
    }
    this.dropReadable();
    this.dropWritable();
    this.state = 'forgotten';
  }

  /** The host's baud rate while open (0 when closed). */
  get openBaudRate(): number {
    return this.state === 'opened' ? this.baudRate : 0;
  }

  private async send(bytes: Uint8Array): Promise<void> {
    if (this.fatal || !this.connection) throw deviceLost();
    const connection = this.connection;
    await new Promise<void>((resolve, reject) => {
      const onLost = (error: DOMException): void => reject(error);
      this.lostWaiters.add(onLost);
      connection.write(bytes).then(
        () => {
          this.lostWaiters.delete(onLost);
          if (this.fatal) reject(deviceLost());
          else resolve();
        },
        (error: unknown) => {
          this.lostWaiters.delete(onLost);
          reject(error);
        },
      );
    });
  }

  private receive(bytes: Uint8Array): void {
    if (this.state !== 'opened' || this.fatal) return;
    if (this.readController && this.readableStream) this.readController.enqueue(bytes);
    else this.pending.push(bytes);
  }

  /** The cable came out while the port was open: reads and writes fail from now on. */
  private lose(): void {
    this.fatal = true;
    this.connection = undefined;
    const error = deviceLost();
    this.readController?.error(error);
    this.writeController?.error(error);
    for (const waiter of this.lostWaiters) waiter(error);
    this.lostWaiters.clear();
    this.dropReadable();
    this.dropWritable();
    this.pending = [];
  }

  private dropReadable(): void {
    this.readableStream = null;
    this.readController = null;
  }

  private dropWritable(): void {
    this.writableStream = null;
    this.writeController = null;
  }

  private fire(type: 'connect' | 'disconnect'): void {
    const event = new Event(type);
    this.dispatchEvent(event);
    const handler = type === 'connect' ? this.onconnect : this.ondisconnect;
    handler?.call(this as unknown as SerialPort, event);
  }
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk.slice();
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0));
  throw new TypeError("Failed to execute 'write' on 'WritableStreamDefaultWriter': The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.");
}

function validateOptions(options: SerialOptions): void {
  if (!options || typeof options.baudRate !== 'number' || !(options.baudRate > 0)) {
    throw new TypeError("Failed to execute 'open' on 'SerialPort': Requested baud rate must be greater than zero.");
  }
  if (options.dataBits !== undefined && options.dataBits !== 7 && options.dataBits !== 8) {
    throw new TypeError("Failed to execute 'open' on 'SerialPort': Requested number of data bits must be 7 or 8.");
  }
  if (options.stopBits !== undefined && options.stopBits !== 1 && options.stopBits !== 2) {
    throw new TypeError("Failed to execute 'open' on 'SerialPort': Requested number of stop bits must be 1 or 2.");
  }
  if (options.bufferSize !== undefined && !(options.bufferSize > 0 && options.bufferSize <= 16 * 1024 * 1024)) {
    throw new TypeError("Failed to execute 'open' on 'SerialPort': Requested buffer size must be greater than zero and at most 16 MiB.");
  }
}
