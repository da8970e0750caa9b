// The command line, read once into typed values: node:util's parser, with its refusals turned into usage problems.
import { existsSync, statSync } from 'node:fs';
import { usageProblem } from './problem.ts';

/** Runs a node:util parseArgs call; an unknown or malformed option becomes a usage problem (exit 2). */
export function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '.') : String(error);
    throw usageProblem(message);
  }
}

export function wholeNumber(option: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw usageProblem(`--${option}: "${text}" is not a whole number from ${min} to ${max}.`);
  return value;
}

export function required<T>(value: T | undefined, option: string, example: string): T {
  if (value === undefined) throw usageProblem(`--${option} is missing.`, `For example: ${example}`);
  return value;
}

/** The one positional argument a verb takes (a bundle), refusing none or more than one. */
export function onePositional(positionals: readonly string[], what: string, example: string): string {
  if (positionals.length === 0) throw usageProblem(`Name the ${what}.`, `For example: ${example}`);
  if (positionals.length > 1) throw usageProblem(`One ${what} at a time, not ${positionals.length}: ${positionals.join(', ')}.`);
  return positionals[0]!;
}

export function existingFile(option: string, path: string): string {
  if (!existsSync(path)) throw usageProblem(`${option}: ${path} does not exist.`, 'Check the path.');
  if (!statSync(path).isFile()) throw usageProblem(`${option}: ${path} is not a file.`, 'Name the file itself.');
  return path;
}

export function existingFolder(option: string, path: string): string {
  if (!existsSync(path)) throw usageProblem(`${option}: ${path} does not exist.`, 'Check the path.');
  if (!statSync(path).isDirectory()) throw usageProblem(`${option}: ${path} is not a folder.`, 'Name the folder itself.');
  return path;
}
