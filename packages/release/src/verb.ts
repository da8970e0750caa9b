// What every verb of `npm run release` is: a name, its usage text, and a run that returns the exit status.
export interface Output {
  /** A line of the verb's result, on stdout. */
  out(line: string): void;
  /** A warning, on stderr. */
  warn(line: string): void;
}

export interface Verb {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], output: Output): Promise<number>;
}
