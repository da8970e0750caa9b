// npm run agent -- --dir ./device --port 8070 [--password-file F] [options]: the reference agent as a program.
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { isSemver, MAX_SECURITY_VERSION, MAX_SEQUENCE, pairingLink } from '@fieldflash/protocol';
import { startAgent } from './agent.ts';
import { DEFAULTS } from './config.ts';
import { storedPairingKey } from './pairing-key.ts';
import { chooseSecret, SECRET_ENV, SecretError } from './secret-source.ts';

const USAGE = `Usage: npm run agent -- --dir DIR [--password-file FILE] [options]
  --dir DIR                 where the device keeps its slots, journal and partial uploads (created if new)
  --password-file FILE      the pairing secret, read from FILE (or from the ${SECRET_ENV} environment variable);
                            without either, a new device generates a pairing code and prints it once. Only the
                            secret's PBKDF2 key is stored (DIR/auth.json, mode 0600)
  --password P              the pairing secret on the command line, for demos: visible in ps and shell history
  --allow-weak-password     accept a chosen secret below 80 bits (by the estimate in docs/protocol.md §3.1)
  --host HOST               address to listen on (default ${DEFAULTS.host}; 0.0.0.0 on a real device)
  --port N                  HTTP port (default ${DEFAULTS.port}; 0 picks a free one)
  --product, --chip, --board, --hardware-revision   what the device is (default ${DEFAULTS.product}, ${DEFAULTS.chipFamily}, ${DEFAULTS.board}, ${DEFAULTS.hardwareRevision})
  --version V, --sequence N, --security-version N   the factory image, used when DIR is new (default ${DEFAULTS.version}, ${DEFAULTS.sequence}, ${DEFAULTS.securityVersion})
  --health-check CMD        run after each test boot (env FIELDFLASH_SLOT, FIELDFLASH_IMAGE, FIELDFLASH_VERSION); exit 0 confirms
  --install-hook CMD        run on each verified image before it is committed (env FIELDFLASH_IMAGE, …); non-zero refuses it
  --trusted-keys DIR        install signed releases only: every *.pub.json or *.pem public key in DIR is trusted, and
                            product, version and counters are taken from the signed manifest (docs/protocol.md §4.9)
  --compat                  also accept ESPHome (POST /update) and ElegantOTA (/ota/start, /ota/upload) uploads, with HTTP
                            Basic credentials: the user below and the pairing password
  --compat-user NAME        the Basic user name of --compat uploads (default ${DEFAULTS.compatUser})
  --compat-origin ORIGIN    a web app (e.g. https://fieldflash.example) whose pages may make --compat uploads: its
                            preflights are answered and replies carry CORS headers (repeatable; others stay refused)
  --host-name NAME          a name the device answers to, besides IP addresses, localhost and <id>.local (repeatable);
                            requests for other names are refused (DNS rebinding)
  --max-peers N             WebRTC peer connections at most (default ${DEFAULTS.maxPeers})
  --test-hooks              expose the test hooks the conformance suite uses to fail health checks and cut power
  --session-ttl S           how long a login lasts, in seconds (default ${DEFAULTS.sessionTtlSeconds})
  --challenge-ttl S         how long a challenge waits for its answer, in seconds (default ${DEFAULTS.challengeTtlSeconds})
  --max-image-size BYTES    largest image accepted (default ${DEFAULTS.maxImageSize})
  --chunk-size BYTES        largest chunk accepted (default ${DEFAULTS.chunkSize}); --window N chunks in flight (default ${DEFAULTS.window})
  --max-connections N       HTTP connections served at once, announced to clients; at the cap the longest-idle one is
                            closed for a new one (default ${DEFAULTS.maxConnections})
  --idle-timeout S          an upload idle this long loses its hold on the device (default ${DEFAULTS.idleTimeoutMs / 1000})
  --total-timeout S         an update session older than this loses its hold (default ${DEFAULTS.totalTimeoutMs / 1000})
  --no-webrtc               serve HTTP only`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
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
    'health-check': { type: 'string' },
    'install-hook': { type: 'string' },
    'trusted-keys': { type: 'string' },
    compat: { type: 'boolean', default: false },
    'compat-user': { type: 'string' },
    'compat-origin': { type: 'string', multiple: true },
    'host-name': { type: 'string', multiple: true },
    'max-peers': { type: 'string' },
    'test-hooks': { type: 'boolean', default: false },
    'session-ttl': { type: 'string' },
    'challenge-ttl': { type: 'string' },
    'max-image-size': { type: 'string' },
    'chunk-size': { type: 'string' },
    window: { type: 'string' },
    'max-connections': { type: 'string' },
    'idle-timeout': { type: 'string' },
    'total-timeout': { type: 'string' },
    'no-webrtc': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

/** The agent's URL as another machine reaches it: a wildcard listener is named by its first LAN address. */
function reachableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname !== '0.0.0.0' && parsed.hostname !== '[::]') return url;
  const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  parsed.hostname = lan?.address ?? '127.0.0.1';
  return parsed.origin;
}

function integer(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) fail(`--${name}: "${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

const dir = values.dir ?? fail('--dir: say where the device keeps its state, e.g. --dir ./device');
let choice;
try {
  choice = chooseSecret({
    ...(values.password === undefined ? {} : { password: values.password }),
    ...(values['password-file'] === undefined ? {} : { passwordFile: values['password-file'] }),
    allowWeakPassword: values['allow-weak-password'],
    env: process.env,
    stored: storedPairingKey(dir) !== undefined,
  });
} catch (error) {
  if (error instanceof SecretError) fail(error.message);
  throw error;
}
// Read once; nothing the agent starts (health check, install hook) inherits it.
delete process.env[SECRET_ENV];
for (const warning of choice.warnings) process.stderr.write(`warning: ${warning}\n`);
if (values.version !== undefined && !isSemver(values.version)) fail(`--version: "${values.version}" is not a SemVer version like 1.2.0`);
if (values['compat-user']?.includes(':') || values['compat-user'] === '') fail(`--compat-user: "${values['compat-user']}" cannot be an HTTP Basic user name (no colon, not empty)`);
for (const origin of values['compat-origin'] ?? []) {
  if (!values.compat) fail('--compat-origin goes with --compat: it names a web app that may make compatibility uploads');
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) fail(`--compat-origin: "${origin}" is not a web origin like https://fieldflash.example (scheme, host and port only)`);
}
if (values['trusted-keys'] !== undefined && values.compat) {
  fail('--compat cannot go with --trusted-keys: compatibility uploads carry no signature, so they would bypass the signed-release check');
}
const seconds = (name: string, text: string | undefined): number | undefined => {
  const value = integer(name, text, 1);
  return value === undefined ? undefined : value * 1000;
};
const options = {
  dir,
  password: choice.secret,
  host: values.host ?? DEFAULTS.host,
  port: integer('port', values.port, 0, 65535) ?? DEFAULTS.port,
  product: values.product,
  chipFamily: values.chip,
  board: values.board,
  hardwareRevision: values['hardware-revision'],
  version: values.version,
  sequence: integer('sequence', values.sequence, 0, MAX_SEQUENCE),
  securityVersion: integer('security-version', values['security-version'], 0, MAX_SECURITY_VERSION),
  healthCheck: values['health-check'],
  installHook: values['install-hook'],
  trustedKeys: values['trusted-keys'],
  compat: values.compat,
  compatUser: values['compat-user'],
  compatOrigins: values['compat-origin'],
  hostNames: values['host-name'],
  maxPeers: integer('max-peers', values['max-peers'], 1, 64),
  testHooks: values['test-hooks'],
  webrtc: !values['no-webrtc'],
  sessionTtlSeconds: integer('session-ttl', values['session-ttl'], 1),
  challengeTtlSeconds: integer('challenge-ttl', values['challenge-ttl'], 1),
  maxImageSize: integer('max-image-size', values['max-image-size'], 1),
  chunkSize: integer('chunk-size', values['chunk-size'], 1024, 16 * 1024 * 1024),
  window: integer('window', values.window, 1, 256),
  maxConnections: integer('max-connections', values['max-connections'], 1, 1024),
  idleTimeoutMs: seconds('idle-timeout', values['idle-timeout']),
  totalTimeoutMs: seconds('total-timeout', values['total-timeout']),
};
const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as typeof options;

try {
  const agent = await startAgent(defined);
  const doc = agent.device.document();
  process.stdout.write(`FieldFlash agent ${doc.id} (${doc.product} ${doc.version}, ${doc.chipFamily} ${doc.board}) listening on ${agent.url}\n`);
  if (doc.trust) process.stdout.write(`Installs releases signed by ${doc.trust.keyIds.length === 1 ? 'key' : 'keys'} ${doc.trust.keyIds.join(', ')} only\n`);
  if (choice.generated) {
    // Shown this once: the device keeps only the key derived from it. Put it on the device's label.
    process.stdout.write(`Pairing code: ${choice.secret}  (shown once; only its key is stored)\n`);
    process.stdout.write(`Pairing link for the label's QR code: ${pairingLink(reachableUrl(agent.url), choice.secret!)}\n`);
  }
  if (defined.compat) {
    process.stderr.write('Warning: --compat uploads authenticate with HTTP Basic, which sends the pairing password in clear: anyone on this network who sees one such upload can pair with the device. Use them only on a network you trust.\n');
  }
  const stop = (): void => {
    void agent.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`The agent could not start: ${options.host}:${options.port} is already in use. Pick another --port (0 picks a free one).\n`);
    process.exit(1);
  }
  process.stderr.write(`The agent could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
