// What esptool-js and Web Serial throw, told in a technician's words: what happened, and what to do next.

export type FlashProblemCode =
  | 'no-serial-access'
  | 'no-port-chosen'
  | 'port-busy'
  | 'port-in-other-tab'
  | 'no-sync'
  | 'wrong-chip'
  | 'image-too-large'
  | 'cable-pulled'
  | 'board-stopped-answering'
  | 'verify-failed'
  | 'cannot-boot'
  /** The release is not trusted, or its library copy no longer matches its digests: nothing was written. */
  | 'release-refused'
  | 'unexpected';

/** Where in a write the trouble happened. */
export interface WritePosition {
  part: string;
  /** Absolute flash offset reached. */
  offset: number;
}

export class FlashProblem extends Error {
  readonly code: FlashProblemCode;
  /** What to do next. */
  readonly nextStep: string;
  readonly position: WritePosition | undefined;

  constructor(code: FlashProblemCode, message: string, nextStep: string, options: { position?: WritePosition; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlashProblem';
    this.code = code;
    this.nextStep = nextStep;
    this.position = options.position;
  }
}

export type SerialStage = 'choose' | 'connect' | 'read' | 'write' | 'monitor';

export interface ErrorContext {
  stage: SerialStage;
  /** The port went away (the browser said so) before or while this error happened. */
  deviceLost?: boolean;
  position?: WritePosition;
}

export const hexOffset = (n: number) => `0x${n.toString(16).padStart(5, '0')}`;

function errorName(error: unknown): string {
  return error instanceof Error || error instanceof DOMException ? error.name : '';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return error.message;
  return typeof error === 'string' ? error : '';
}

export function noPortChosen(): FlashProblem {
  return new FlashProblem(
    'no-port-chosen',
    'No port was chosen.',
    'Press "Connect USB device" again and pick the board in the list. If it is not listed, try another USB cable (some only charge) and check that the driver for its USB bridge is installed.',
  );
}

export function portInOtherTab(): FlashProblem {
  return new FlashProblem(
    'port-in-other-tab',
    'This port is in use in another FieldFlash tab.',
    'Disconnect it in the other tab (or close that tab), then connect here again.',
  );
}

function portBusy(cause: unknown): FlashProblem {
  return new FlashProblem(
    'port-busy',
    'The port is busy: another program or browser tab has it open.',
    'Close the other program (a serial monitor, Arduino IDE, PlatformIO, another flashing page), then connect again.',
    { cause },
  );
}

function noSync(cause: unknown): FlashProblem {
  return new FlashProblem(
    'no-sync',
    'The board did not answer: it is not in download mode.',
    'Hold BOOT, tap EN/RESET, release BOOT, then try again. If it still fails, try another USB cable.',
    { cause },
  );
}

function cablePulled(position: WritePosition | undefined, cause: unknown): FlashProblem {
  const where = position ? ` while writing ${position.part} at offset ${hexOffset(position.offset)}` : '';
  return new FlashProblem(
    'cable-pulled',
    `The USB connection was lost${where}. The install is incomplete, so the board will not start the new firmware.`,
    'Plug the cable back in, connect again and press Flash: the release is written again and blocks already in place are checked and kept.',
    { position, cause },
  );
}

function stoppedAnswering(position: WritePosition | undefined, cause: unknown): FlashProblem {
  const where = position ? ` while writing ${position.part} at offset ${hexOffset(position.offset)}` : '';
  return new FlashProblem(
    'board-stopped-answering',
    `The board stopped answering${where}. The install is incomplete.`,
    'Check the cable, press RESET on the board, connect again and flash again. If it happens again, choose a lower baud rate.',
    { position, cause },
  );
}

/** Turns anything thrown by Web Serial or esptool-js into a FlashProblem. FlashProblems pass through unchanged. */
export function explainSerialError(error: unknown, context: ErrorContext): FlashProblem {
  if (error instanceof FlashProblem) return error;
  const name = errorName(error);
  const message = errorMessage(error);

  if (context.stage === 'choose' && name === 'NotFoundError') return noPortChosen();
  if (name === 'NotSupportedError') {
    return new FlashProblem('no-serial-access', message, 'Use Chrome or Edge on a laptop, or connect the simulated ESP32 to try FieldFlash.', { cause: error });
  }
  if (context.deviceLost || /device has been lost|device was disconnected|disconnected/i.test(message)) {
    if (context.stage === 'write') return cablePulled(context.position, error);
    return new FlashProblem(
      'cable-pulled',
      'The USB connection to the board was lost.',
      'Plug the cable back in and connect again.',
      { cause: error },
    );
  }
  // Web Serial's open() fails like this when another tab or program holds the port.
  if (
    (context.stage === 'connect' || context.stage === 'monitor') &&
    (name === 'InvalidStateError' || name === 'NetworkError' || /failed to open serial port|already open/i.test(message))
  ) {
    return portBusy(error);
  }
  if (/failed to connect with the device|wrong boot mode|no sync reply/i.test(message)) return noSync(error);
  if (/md5 of file does not match/i.test(message)) {
    const part = context.position?.part ?? 'a part';
    return new FlashProblem(
      'verify-failed',
      `Verification failed: the MD5 of ${part} read back from the flash does not match the release.`,
      'Flash again. If it keeps failing, choose a lower baud rate or try another cable.',
      { position: context.position, cause: error },
    );
  }
  if (context.stage === 'write' && /timeout|timed out|no serial data|stream stopped|invalid head of packet/i.test(message)) {
    return stoppedAnswering(context.position, error);
  }
  const detail = message ? `: ${message}` : '';
  return new FlashProblem(
    'unexpected',
    `Flashing stopped unexpectedly${detail}.`,
    'Press RESET on the board, connect again and retry. Download the log to keep a record if it happens again.',
    { position: context.position, cause: error },
  );
}
