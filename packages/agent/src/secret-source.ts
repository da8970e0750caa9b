// Where the agent's pairing secret comes from (docs/protocol.md §3.1): a file, the environment, or a pairing code
// the agent generates at its first start. `--password` stays for demos, with a warning: a command line is visible
// in `ps` and kept in shell history. Chosen passwords weaker than 80 bits by the simple estimate are refused unless
// explicitly allowed, because a sniffed handshake lets anyone guess offline.
import { estimateSecretBits, generatePairingCode, MIN_SECRET_BITS } from '@fieldflash/protocol';
import { readSecret, SECRET_ENV } from '@fieldflash/protocol/node';

export { SECRET_ENV };
/** Environment variables that may hold the secret; none is passed on to a hook. */
export const SECRET_ENV_NAMES = [SECRET_ENV, 'FIELDFLASH_PASSWORD'];

export interface SecretOptions {
  password?: string;
  passwordFile?: string;
  allowWeakPassword: boolean;
  env: NodeJS.ProcessEnv;
  /** Whether the device already holds a pairing key (it was paired before). */
  stored: boolean;
}

export interface SecretChoice {
  /** Undefined: keep the stored key. */
  secret?: string;
  /** The agent made this pairing code: print it once. */
  generated: boolean;
  warnings: string[];
}

export class SecretError extends Error {}

export function chooseSecret(options: SecretOptions): SecretChoice {
  const warnings: string[] = [];
  const given = options.password !== undefined || options.passwordFile !== undefined || Boolean(options.env[SECRET_ENV]);
  if (!given) return options.stored ? { generated: false, warnings } : { secret: generatePairingCode(), generated: true, warnings };
  const read = readSecret(options);
  if (typeof read === 'string') throw new SecretError(read);
  if (read.warning) warnings.push(read.warning);
  const bits = Math.floor(estimateSecretBits(read.secret));
  if (bits < MIN_SECRET_BITS) {
    if (!options.allowWeakPassword) {
      throw new SecretError(
        `The pairing password is too weak (about ${bits} bits; at least ${MIN_SECRET_BITS} are needed, since a sniffed login lets anyone guess it offline). ` +
          'Leave it out and the agent generates a pairing code, choose a longer one, or pass --allow-weak-password for a demo.',
      );
    }
    warnings.push(`The pairing password is weak (about ${bits} bits): anyone who sees one login on the network can find it offline.`);
  }
  return { secret: read.secret, generated: false, warnings };
}
