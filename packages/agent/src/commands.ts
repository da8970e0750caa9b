// Runs the device's own steps (health check, install hook) as shell commands, as Mender runs its state scripts.
import { spawn } from 'node:child_process';
import { SECRET_ENV_NAMES } from './secret-source.ts';

export interface CommandResult {
  code: number;
  /** The last lines the command printed, to explain a failure. */
  output: string;
}

/** The agent's environment for a command, without the pairing secret: a hook never needs it. */
function commandEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  for (const name of SECRET_ENV_NAMES) delete inherited[name];
  return { ...inherited, ...env };
}

export function runCommand(command: string, env: Record<string, string>, timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { env: commandEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output: output.trim() });
    });
  });
}

/** "health check exited with 3: disk not mounted" */
export function describeFailure(what: string, result: CommandResult): string {
  const last = result.output.split('\n').filter(Boolean).at(-1);
  return `${what} exited with ${result.code}${last ? `: ${last.slice(0, 200)}` : ''}`;
}
