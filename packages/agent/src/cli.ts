// npm run agent -- --dir ./device --port 8070 --password P [options]: the reference agent as a program.
import { parseArgs } from 'node:util';
import { startAgent } from './agent.ts';
import { DEFAULTS } from './config.ts';

const USAGE = `Usage: npm run agent -- --dir DIR --password P [options]
  --dir DIR                 where the device keeps its slots, journal and partial uploads (created if new)
  --password P              the pairing password (or FIELDFLASH_PASSWORD); only its PBKDF2 hash is stored
  --host HOST               address to listen on (default ${DEFAULTS.host}; 0.0.0.0 on a real device)
  --port N                  HTTP port (default ${DEFAULTS.port}; 0 picks a free one)
  --product, --chip, --board, --hardware-revision   what the device is (default ${DEFAULTS.product}, ${DEFAULTS.chipFamily}, ${DEFAULTS.board}, ${DEFAULTS.hardwareRevision})
  --version V, --sequence N, --security-version N   the factory image, used when DIR is new (default ${DEFAULTS.version}, ${DEFAULTS.sequence}, ${DEFAULTS.securityVersion})
  --health-check CMD        run after each test boot (env FIELDFLASH_SLOT, FIELDFLASH_IMAGE, FIELDFLASH_VERSION); exit 0 confirms
  --install-hook CMD        run on each verified image before it is committed (env FIELDFLASH_IMAGE, …); non-zero refuses it
  --compat                  also accept ESPHome (POST /update) and ElegantOTA (/ota/start, /ota/upload) uploads, without authentication
  --test-hooks              expose the test hooks the conformance suite uses to fail health checks and cut power
  --token-ttl S             session token lifetime in seconds (default ${DEFAULTS.tokenTtlSeconds})
  --max-image-size BYTES    largest image accepted (default ${DEFAULTS.maxImageSize})
  --chunk-size BYTES        largest chunk accepted (default ${DEFAULTS.chunkSize}); --window N chunks in flight (default ${DEFAULTS.window})
  --max-connections N       HTTP connections one client may open at once, announced to clients (default ${DEFAULTS.maxConnections})
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
    compat: { type: 'boolean', default: false },
    'test-hooks': { type: 'boolean', default: false },
    'token-ttl': { type: 'string' },
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

function integer(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) fail(`--${name}: "${text}" is not a whole number from ${min} to ${max}`);
  return value;
}

const dir = values.dir ?? fail('--dir: say where the device keeps its state, e.g. --dir ./device');
const password = values.password ?? process.env.FIELDFLASH_PASSWORD ?? fail('--password: set the pairing password (or FIELDFLASH_PASSWORD)');
if (values.version !== undefined && !/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(values.version)) fail(`--version: "${values.version}" is not a SemVer version like 1.2.0`);
const seconds = (name: string, text: string | undefined): number | undefined => {
  const value = integer(name, text, 1);
  return value === undefined ? undefined : value * 1000;
};
const options = {
  dir,
  password,
  host: values.host ?? DEFAULTS.host,
  port: integer('port', values.port, 0, 65535) ?? DEFAULTS.port,
  product: values.product,
  chipFamily: values.chip,
  board: values.board,
  hardwareRevision: values['hardware-revision'],
  version: values.version,
  sequence: integer('sequence', values.sequence, 0),
  securityVersion: integer('security-version', values['security-version'], 0),
  healthCheck: values['health-check'],
  installHook: values['install-hook'],
  compat: values.compat,
  testHooks: values['test-hooks'],
  webrtc: !values['no-webrtc'],
  tokenTtlSeconds: integer('token-ttl', values['token-ttl'], 1),
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
