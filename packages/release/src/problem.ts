// What went wrong, for the release engineer at the terminal: a message, what to do next, and the exit status.
// Exit 1 means the release (or a file) is not right; exit 2 means the command line is not.
import { BundleError, KeyError } from '@fieldflash/bundle';

export class CliProblem extends Error {
  constructor(message: string, readonly hint: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CliProblem';
  }
}

/** A mistake on the command line: exit 2, and the verb's usage is shown with it. */
export function usageProblem(message: string, hint = ''): CliProblem {
  return new CliProblem(message, hint, 2);
}

/** The text a person reads for any error; a programming error keeps its message but never shows a stack. */
export function explain(error: unknown): { text: string; exitCode: 1 | 2 } {
  if (error instanceof CliProblem) return { text: lines(error.message, error.hint), exitCode: error.exitCode };
  if (error instanceof BundleError || error instanceof KeyError) return { text: lines(error.message, error.hint), exitCode: 1 };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  if (code === 'ENOENT' && path) return { text: lines(`${path} does not exist.`, 'Check the path and try again.'), exitCode: 1 };
  if ((code === 'EACCES' || code === 'EPERM') && path) return { text: lines(`${path} cannot be read or written: permission denied.`, 'Check the file\'s owner and mode.'), exitCode: 1 };
  if (code === 'EISDIR' && path) return { text: lines(`${path} is a folder, not a file.`, 'Name the file itself.'), exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  return { text: lines(`Something unexpected went wrong: ${message}`, 'Please report this with the command you ran.'), exitCode: 1 };
}

function lines(message: string, hint: string): string {
  return hint ? `${message}\n${hint}` : message;
}
