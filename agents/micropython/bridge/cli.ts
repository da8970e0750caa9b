// npm run agent:micropython -- --dir DIR --port PORT [--password P | --password-file F] [identity flags]: the
// MicroPython agent's code, running in the MicroPython WebAssembly interpreter behind the Node bridge.
import { parseArgs } from 'node:util';
import { isSemver, MAX_SECURITY_VERSION, MAX_SEQUENCE } from '@fieldflash/protocol';
import { chooseSecret, SECRET_ENV, SecretError } from '../../../packages/agent/src/secret-source.ts';
import { readFileSync } from 'node:fs';
import { startMicroPythonAgent } from './agent.ts';
import { Board } from './board.ts';
import { BoardImageError, boardSettings, unpackBoardImage } from './board-image.ts';
import { installTrustedKeys, TrustedKeysError } from './trusted-keys.ts';

const USAGE = `Usage: npm run agent:micropython -- --dir DIR [--password-file FILE] [options]
  --dir DIR                 the simulated board: its flash filesystem (DIR/flash) and OTA partitions (DIR/partitions)
  --flash-file FILE         start from a board FieldFlash set up over USB: the files in the vfs partition of the flash
                            image its Flash view saved go into DIR/flash (a new DIR); the board's key, what it is
                            (fieldflash/agent.json) and its application (/app) come with them
  --password-file FILE      the pairing secret, read from FILE (or from ${SECRET_ENV}); the board stores only its key.
                            Without either, a new board generates a pairing code and prints it once
  --password P              the pairing secret on the command line, for demos: visible in ps and shell history
  --allow-weak-password     accept a chosen secret below 80 bits
  --host HOST, --port N     where the bridge listens (default 127.0.0.1, 8070; 0 picks a free port)
  --product, --chip, --board, --hardware-revision   what the board is (default demo-sensor, ESP32, devkitc-v4, 1.0)
  --version V, --sequence N, --security-version N   the firmware the board runs when new (default 1.0.0, 1, 0)
  --host-name NAME          a name the board answers to besides IP literals, localhost and <id>.local (repeatable)
  --confirm-within S        seconds the new application has to call agent.confirm() after an update (default 30)
  --trusted-keys DIR        install only releases signed by these publisher keys (every *.pub.json or *.pem in DIR),
                            put on the board's filesystem in /fieldflash/keys; the board verifies each release itself
  --test-hooks              expose the test hooks the conformance suite uses
  --session-ttl S, --challenge-ttl S   login and challenge lifetimes (default 300, 30)`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'flash-file': { type: 'string' },
    password: { type: 'string' },
    'password-file': { type: 'string' },
    'allow-weak-password': { type: 'boolean', default: false },
    host: { type: 'string' },
    port: { type: 'string' },
    product: { type: 'string' },
    chip: { type: 'string' },
    board: { type: 'string' },
    'hardware-revision': { type: 'string' },
    version: { type: 'string' },
    sequence: { type: 'string' },
    'security-version': { type: 'string' },
    'host-name': { type: 'string', multiple: true },
    'confirm-within': { type: 'string' },
    'test-hooks': { type: 'boolean', default: false },
    'trusted-keys': { type: 'string' },
    'session-ttl': { type: 'string' },
    'challenge-ttl': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

function integer(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) fail(`--${name}: "${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

const dir = values.dir ?? fail('--dir: say where the simulated board keeps its flash, e.g. --dir ./board');
if (values.version !== undefined && !isSemver(values.version)) fail(`--version: "${values.version}" is not a SemVer version like 1.2.0`);
let fromBoard: ReturnType<typeof boardSettings>;
try {
  if (values['flash-file'] !== undefined) {
    let image: Uint8Array;
    try {
      image = readFileSync(values['flash-file']);
    } catch (error) {
      fail(`--flash-file: ${values['flash-file']} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    const unpacked = unpackBoardImage(image, dir);
    process.stdout.write(`Unpacked ${unpacked.files.length} files of the saved board into ${dir}/flash; the bridge runs its own main.py and agent code in place of ${unpacked.left.length} files in main.py and lib/.\n`);
  }
  fromBoard = boardSettings(dir);
} catch (error) {
  if (error instanceof BoardImageError) fail(error.message);
  throw error;
}
// Flags win over what the board says it is (fieldflash/agent.json, from FieldFlash's USB install).
const settings = Object.fromEntries(
  Object.entries({
    product: values.product,
    chip_family: values.chip,
    board: values.board,
    hardware_revision: values['hardware-revision'],
    version: values.version,
    sequence: integer('sequence', values.sequence, 0, MAX_SEQUENCE),
    security_version: integer('security-version', values['security-version'], 0, MAX_SECURITY_VERSION),
    host_names: values['host-name'],
    confirm_within_s: integer('confirm-within', values['confirm-within'], 1, 3600),
    test_hooks: values['test-hooks'],
    session_ttl: integer('session-ttl', values['session-ttl'], 1),
    challenge_ttl: integer('challenge-ttl', values['challenge-ttl'], 1),
  }).filter(([, value]) => value !== undefined),
) as Record<string, string | number | boolean | string[]>;
for (const [name, value] of Object.entries(fromBoard?.settings ?? {})) settings[name] ??= value;

if (values['trusted-keys'] !== undefined) {
  try {
    const keys = await installTrustedKeys(dir, values['trusted-keys']);
    process.stdout.write(`The board trusts ${keys.map((k) => `${k.keyId} (${k.algorithm}${k.name ? `, ${k.name}` : ''})`).join(', ')}: it installs only releases they signed.\n`);
  } catch (error) {
    if (error instanceof TrustedKeysError) fail(error.message);
    throw error;
  }
}

let choice;
try {
  const stored = new Board(dir, settings).paired;
  choice = chooseSecret({
    ...(values.password === undefined ? {} : { password: values.password }),
    ...(values['password-file'] === undefined ? {} : { passwordFile: values['password-file'] }),
    allowWeakPassword: values['allow-weak-password'],
    env: process.env,
    stored,
  });
} catch (error) {
  if (error instanceof SecretError) fail(error.message);
  throw error;
}
delete process.env[SECRET_ENV];
for (const warning of choice.warnings) process.stderr.write(`warning: ${warning}\n`);

try {
  const agent = await startMicroPythonAgent({
    dir,
    host: values.host ?? '127.0.0.1',
    port: integer('port', values.port, 0, 65535) ?? fromBoard?.port ?? 8070,
    settings,
    ...(choice.secret === undefined ? {} : { secret: choice.secret }),
  });
  const doc = (await agent.board.document()) as Record<string, string>;
  process.stdout.write(`FieldFlash MicroPython agent ${doc.id} (${doc.product} ${doc.version}, ${doc.chipFamily} ${doc.board}) listening on ${agent.url}\n`);
  if (choice.generated) process.stdout.write(`Pairing code: ${choice.secret}  (shown once; only its key is stored)\n`);
  const stop = (): void => {
    void agent.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    process.stderr.write(`The agent could not start: the port is already in use. Pick another --port (0 picks a free one).\n`);
    process.exit(1);
  }
  process.stderr.write(`The agent could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
