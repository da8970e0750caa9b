// npm run conformance -- URL [--password-file F] [--image FILE] [--only 1,5,9] [--verdict-timeout S] [--signing-key KEY.pem]
import { parseArgs } from 'node:util';
import { readSecret, SECRET_ENV } from '@fieldflash/protocol/node';
import { loadSigningKey, SigningKeyError } from './release-signer.ts';
import { runSuite } from './suite.ts';

const USAGE = `Usage: npm run conformance -- URL [--password-file FILE] [options]
  URL                    the agent, e.g. http://192.168.1.40:8070
  --password-file FILE   its pairing code or password, read from FILE (or from ${SECRET_ENV})
  --password P           the same on the command line, for demos (visible in ps)
  --image FILE           an image the device can boot, for the checks that reboot (default: random bytes,
                         fine for the reference agent; a real device needs a real image)
  --only N,M             run only these check numbers
  --verdict-timeout S    how long to wait for the device's verdict after a reboot (default 120)
  --compat-user NAME     the HTTP Basic user of the device's compatibility uploads (default admin; the password
                         is the pairing password)
  --signing-key KEY.pem  for a device that installs signed releases only: a private key (PEM, Ed25519 or ECDSA
                         P-256) whose public key the device trusts. Every offer is then signed with it, and the
                         signed-release checks (§4.9) run; without it they are skipped
Checks that need the capability test-hooks (a failing health check, power lost during a test boot) are skipped,
with the reason, on devices that do not list it. Exit status 0 when nothing failed; the last line is "N passed, N failed".`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const options = {
  password: { type: 'string' },
  'password-file': { type: 'string' },
  image: { type: 'string' },
  only: { type: 'string' },
  'verdict-timeout': { type: 'string' },
  'compat-user': { type: 'string' },
  'signing-key': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseCommandLine() {
  try {
    return parseArgs({ options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's own words ("Unknown option '--x'") name the problem; the usage says what is known.
    fail(error instanceof Error ? error.message : String(error));
  }
}

const { values, positionals } = parseCommandLine();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const url = positionals[0] ?? fail('say which device to check: npm run conformance -- http://HOST:PORT --password-file FILE');
if (!/^https?:\/\/[^/]+/.test(url)) fail(`"${url}" is not a device URL like http://192.168.1.40:8070`);
const secret = readSecret({ password: values.password, passwordFile: values['password-file'], env: process.env });
if (typeof secret === 'string') fail(secret);
if (secret.warning) process.stderr.write(`warning: ${secret.warning}\n`);
const password = secret.secret;
const only = values.only?.split(',').map((n) => {
  const number = Number(n.trim());
  if (!Number.isInteger(number) || number < 1) fail(`--only: "${n}" is not a check number`);
  return number;
});
const verdictSeconds = values['verdict-timeout'] === undefined ? undefined : Number(values['verdict-timeout']);
if (verdictSeconds !== undefined && !(verdictSeconds > 0)) fail(`--verdict-timeout: "${values['verdict-timeout']}" is not a number of seconds`);

let signingKey;
if (values['signing-key'] !== undefined) {
  try {
    signingKey = await loadSigningKey(values['signing-key']);
  } catch (error) {
    if (error instanceof SigningKeyError) fail(error.message);
    throw error;
  }
}

try {
  const result = await runSuite({ url, password, ...(signingKey ? { signingKey } : {}), ...(values.image ? { imagePath: values.image } : {}), ...(only ? { only } : {}), ...(verdictSeconds ? { verdictTimeoutMs: verdictSeconds * 1000 } : {}), ...(values['compat-user'] ? { compatUser: values['compat-user'] } : {}) });
  process.exit(result.failed === 0 ? 0 : 1);
} catch (error) {
  process.stderr.write(`The suite could not run against ${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
}
