// Where a Node program (npm run push, npm run conformance) reads the device's pairing secret: a file, the
// environment, or, for demos, the command line, which anyone listing processes can read, so that one warns.
import { readFileSync } from 'node:fs';

export const SECRET_ENV = 'FIELDFLASH_PAIRING_SECRET';

export interface SecretInput {
  password?: string | undefined;
  passwordFile?: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** The secret and any warning about how it was given; a string error when none was given or it cannot be read. */
export function readSecret(input: SecretInput): { secret: string; warning?: string } | string {
  if (input.password !== undefined && input.passwordFile !== undefined) return 'Give either --password or --password-file, not both.';
  if (input.passwordFile !== undefined) {
    let secret: string;
    try {
      secret = readFileSync(input.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      return `--password-file: cannot read ${input.passwordFile} (${(error as Error).message}).`;
    }
    return secret ? { secret } : `--password-file: ${input.passwordFile} is empty.`;
  }
  if (input.password !== undefined) {
    return { secret: input.password, warning: `--password is visible to anyone who can list processes (ps) and stays in shell history; use --password-file or ${SECRET_ENV}.` };
  }
  const fromEnv = input.env[SECRET_ENV];
  if (fromEnv) return { secret: fromEnv };
  return `Give the device's pairing code or password with --password-file FILE or ${SECRET_ENV}.`;
}
