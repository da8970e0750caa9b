// An application installed together with the FieldFlash agent, as one tree for the installer: the agent's package
// in lib/fieldflash/, the application in app/ (where the agent updates it over the LAN), what the board is in
// fieldflash/agent.json, its pairing key in fieldflash/auth.json, and main.py, which starts both. main.py goes last,
// so a board whose copy was cut short still starts what it started before.
//
// The pairing key is derived here, with WebCrypto, exactly as the agent derives it at pairing (docs/protocol.md
// §3.1: PBKDF2-HMAC-SHA-256, 100 000 rounds, a fresh 16-byte salt): the board stores the key, its salt and its
// rounds, and never sees the code. It also spares the board the minute an ESP32 takes for the derivation.
import { deriveKey, estimateSecretBits, MIN_SECRET_BITS, normalizePairingSecret, randomBase64, toBase64 } from '@fieldflash/protocol';
import { InstallProblem } from './install-problems.ts';
import { sha256Hex, type SourceTree, type TreeFile } from './tree-install.ts';

/** The folder the agent keeps the application in (the agent's `tree_dir`). */
export const APP_DIR = 'app';
/** The agent's state folder, where it reads its key (pairing.py) and its settings. */
export const AGENT_STATE_DIR = 'fieldflash';
export const AGENT_PORT = 8070;
export const PAIRING_ITERATIONS = 100_000;
/** MicroPython's name for a generic ESP32 board, for a board whose tree names none. */
export const DEFAULT_BOARD = 'esp32-generic';

/** What the board is, as the agent reports it and as updates are matched against it. */
export interface AgentIdentity {
  product: string;
  chipFamily: string;
  board: string;
  /** The application's version: what the board runs as the agent first starts. */
  version: string;
  sequence: number;
  securityVersion: number;
}

/** fieldflash/agent.json: the agent's settings (its Config names), the port and the application's entry module. */
export function agentSettings(identity: AgentIdentity, entry: string): string {
  const agent = {
    product: identity.product,
    chip_family: identity.chipFamily,
    board: identity.board.trim() || DEFAULT_BOARD,
    version: identity.version,
    sequence: identity.sequence,
    security_version: identity.securityVersion,
  };
  return `${JSON.stringify({ agent, port: AGENT_PORT, entry }, null, 2)}\n`;
}

/** fieldflash/auth.json as pairing.py writes it: salt, rounds and key, base64. */
export async function pairingRecord(secret: string): Promise<string> {
  const code = normalizePairingSecret(secret.trim());
  if (code === '') {
    throw new InstallProblem('bad-pairing', 'The agent needs a pairing code, and none was given.', 'Use the generated code, or type one of your own.');
  }
  const bits = estimateSecretBits(code);
  if (bits < MIN_SECRET_BITS) {
    throw new InstallProblem(
      'bad-pairing',
      `That pairing code is too easy to guess: about ${Math.floor(bits)} bits, and the agent needs ${MIN_SECRET_BITS}. Nothing was copied.`,
      'Use the generated code (write it on the board’s label), or a passphrase of five or more words.',
    );
  }
  const salt = randomBase64(16);
  const key = await deriveKey(code, salt, PAIRING_ITERATIONS);
  return `${JSON.stringify({ salt, iterations: PAIRING_ITERATIONS, key: toBase64(key) })}\n`;
}

/** The application under app/, with the agent, its settings, its key and main.py around it. */
export async function withAgent(app: SourceTree, identity: AgentIdentity, secret: string): Promise<SourceTree> {
  const auth = await pairingRecord(secret);
  const { AGENT_PACKAGE, BOARD_MAIN } = await import('./agent-files.ts');
  const encoder = new TextEncoder();
  const file = async (path: string, text: string): Promise<TreeFile> => {
    const data = encoder.encode(text);
    return { path, data, sha256: await sha256Hex(data) };
  };
  const files: TreeFile[] = [
    ...(await Promise.all(AGENT_PACKAGE.map((f) => file(f.path, f.text)))),
    ...app.files.map((f) => ({ ...f, path: `${APP_DIR}/${f.path}` })),
    await file(`${AGENT_STATE_DIR}/agent.json`, agentSettings(identity, app.entry)),
    await file(`${AGENT_STATE_DIR}/auth.json`, auth),
    await file(BOARD_MAIN.path, BOARD_MAIN.text),
  ];
  return {
    label: `${app.label} with the FieldFlash agent`,
    version: app.version,
    files,
    deviceLocal: app.deviceLocal.map((p) => `${APP_DIR}/${p}`),
    entry: `${APP_DIR}/${app.entry.split('.').join('/')}`,
    versionFile: `${APP_DIR}/.version`,
  };
}
