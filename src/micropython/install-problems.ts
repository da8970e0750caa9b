// What can go wrong copying a tree onto a MicroPython board, in words for the person at the bench:
// what happened, what it means for the files on the board, and what to do next.
import { LinkLost, NoAnswer } from './byte-reader.ts';
import { NotMicroPython } from './raw-repl.ts';

export type InstallProblemCode =
  | 'not-micropython' | 'cable-pulled' | 'filesystem-full' | 'digest-mismatch' | 'board-error' | 'no-answer' | 'bad-tree' | 'bad-pairing';

export class InstallProblem extends Error {
  constructor(
    readonly code: InstallProblemCode,
    message: string,
    readonly nextStep: string,
  ) {
    super(message);
    this.name = 'InstallProblem';
  }
}

/** Where the install was when it stopped, to say what the board still holds. */
export interface InstallPoint {
  /** The file being written, if any. */
  path: string | undefined;
  written: number;
  total: number;
}

export function notMicroPython(): InstallProblem {
  return new InstallProblem(
    'not-micropython',
    'The board did not answer as MicroPython: no raw REPL prompt came back after Ctrl-C and Ctrl-A. Nothing was copied.',
    'Flash MicroPython to the board first. If it runs MicroPython, its program may ignore Ctrl-C: press "Reset board" and try again.',
  );
}

export function cablePulled(at: InstallPoint): InstallProblem {
  const where = at.path
    ? ` while copying ${at.path}. The board still has its previous ${at.path} (or none): the new copy was going to a temporary file and never replaced it.`
    : '.';
  return new InstallProblem(
    'cable-pulled',
    `The USB connection was lost${where} ${at.written} of ${at.total} files were done (copied, or already on the board).`,
    'Plug the board back in, connect, reset it into MicroPython and install again: files already on the board are skipped.',
  );
}

export function filesystemFull(path: string, size: number, free: number | undefined, total: number | undefined): InstallProblem {
  const room = free !== undefined && total !== undefined ? ` ${kib(free)} of ${kib(total)} is free.` : '';
  return new InstallProblem(
    'filesystem-full',
    `The board's filesystem is full: ${path} (${kib(size)}) did not fit.${room} The old ${path} is unchanged and the partial copy was removed.`,
    'Remove files you no longer need from the board (or install a smaller tree), then install again.',
  );
}

export function digestMismatch(path: string): InstallProblem {
  return new InstallProblem(
    'digest-mismatch',
    `The copy of ${path} on the board does not match the release (SHA-256 differs), so it was not put in place.`,
    'Install again; if it keeps failing, the cable or the board may be corrupting data.',
  );
}

export function boardError(doing: string, error: string): InstallProblem {
  return new InstallProblem('board-error', `The board raised an error while ${doing}: ${lastLine(error)}`, 'Check the console for details, then install again.');
}

/** Turns a lost link or a silent board into the problem it is; anything else passes through. */
export function explainTransferError(error: unknown, at: InstallPoint): unknown {
  if (error instanceof InstallProblem) return error;
  if (error instanceof NotMicroPython) return notMicroPython();
  if (error instanceof LinkLost) return cablePulled(at);
  if (error instanceof NoAnswer) {
    return new InstallProblem(
      'no-answer',
      `The board stopped answering (no ${error.waitedFor})${at.path ? ` while copying ${at.path}` : ''}. Its previous files are unchanged.`,
      'Press "Reset board", then install again.',
    );
  }
  return error;
}

/** "OSError: 28" from the ESP32's newlib, or "[Errno 28] ENOSPC" where the build names it. */
export function isNoSpace(stderr: string): boolean {
  return /OSError: (28\b|\[Errno 28\])/.test(stderr);
}

export function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1] ?? '';
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`;
}
