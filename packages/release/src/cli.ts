// npm run release -- <verb> …: the release engineer's tool. Exit 0 when the verb did its job, 1 when the release
// or a file is not right (the reason and what to do are printed), 2 when the command line is wrong.
import { explain } from './problem.ts';
import { VERBS } from './index.ts';
import type { Output } from './verb.ts';

const USAGE = `Usage: npm run release -- <verb> [options]     (npm run release -- <verb> --help for each)
${VERBS.map((v) => `  ${v.name.padEnd(8)} ${v.summary}`).join('\n')}`;

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? output.warn : output.out)(USAGE);
    return name === undefined ? 2 : 0;
  }
  const verb = VERBS.find((v) => v.name === name);
  if (!verb) {
    output.warn(`"${name}" is not a verb of the release tool.\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    output.out(verb.usage);
    return 0;
  }
  try {
    return await verb.run(rest, output);
  } catch (error) {
    const { text, exitCode } = explain(error);
    output.warn(exitCode === 2 ? `${text}\n\n${verb.usage}` : text);
    return exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
