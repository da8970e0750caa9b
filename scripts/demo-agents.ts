// The two demo devices `npm start` runs beside the app: reference agents on loopback playing boards of the demo
// release's product at 0.9.0, so the demo release is an update for them. The first is where the simulated ESP32 says
// it is after joining Wi-Fi; the second fails its health check while a file exists, to show a rollback.
// scripts/serve.mjs starts this as a child process and it ends with it: on SIGINT or SIGTERM, and when its parent
// dies (the IPC channel closes), so no demo device outlives the app's server. Like a device in the field, each installs
// only releases signed by a key it holds: the demo publisher's, which signed the demo release at build time.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type RunningAgent, startAgent } from '../packages/agent/src/index.ts';
import { DEMO_PUBLISHER_KEY_FILE } from './demo-publisher.ts';
import { DEMO_BOARD, DEMO_CHIP_FAMILY, DEMO_PRODUCT } from './make-demo-release.ts';

/** Where the README says the demo devices are; the simulated ESP32 reports the first (packages/esp-emulator). */
export const DEMO_PORTS: readonly [number, number] = [8070, 8071];
export const DEMO_DIR = '.tmp/demo';
/** A known secret, so the README's walk takes a minute; far too weak for a real device, and only on loopback. */
export const DEMO_SECRET = 'demo';
/** Older than the demo release (1.0.0), so the demo release is an update. */
export const DEMO_FACTORY_VERSION = '0.9.0';
/** While this file exists in the demo folder, the second device's health check fails. */
export const FAIL_SWITCH = 'fail-health-check';

/** Quotes a path for /bin/sh, which runs the agent's health check. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A health check that fails, with a reason a technician would recognise, while `switchPath` exists. */
export function switchableHealthCheck(switchPath: string, shown: string): string {
  return `if [ -e ${shellQuote(switchPath)} ]; then printf 'sensor bus not found (the demo fails this check while %s exists)\\n' ${shellQuote(shown)} >&2; exit 3; fi`;
}

/**
 * The devices' own trusted keys: the demo publisher's public key, as the build served it, in a folder of its own
 * (the agent trusts every key file in the folder it is given). Undefined when the app was not built.
 */
function demoTrustedKeys(dir: string): string | undefined {
  const served = join('dist', 'demo', DEMO_PUBLISHER_KEY_FILE);
  if (!existsSync(served)) return undefined;
  const keys = join(dir, 'trusted-keys');
  mkdirSync(keys, { recursive: true });
  copyFileSync(served, join(keys, DEMO_PUBLISHER_KEY_FILE));
  return keys;
}

function parsePorts(text: string): [number, number] {
  const ports = text.split(',').map((p) => Number(p.trim()));
  if (ports.length !== 2 || !ports.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535)) {
    throw new Error(`--demo-ports: "${text}" is not two port numbers like 8070,8071 (0 picks a free one)`);
  }
  return ports as [number, number];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ports: { type: 'string' }, dir: { type: 'string' } }, strict: true });
  let ports: [number, number];
  try {
    ports = values.ports === undefined ? [...DEMO_PORTS] : parsePorts(values.ports);
  } catch (error) {
    process.stderr.write(`Demo devices not started: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const dir = values.dir ?? DEMO_DIR;
  const failSwitch = join(dir, FAIL_SWITCH);
  const devices = [
    {
      name: 'demo device 1',
      port: ports[0],
      dir: join(dir, 'device-1'),
      note: (url: string) =>
        ports[0] === DEMO_PORTS[0]
          ? 'the simulated ESP32 reports this one after joining Wi-Fi'
          : `the simulated ESP32 reports port ${DEMO_PORTS[0]}: set "URL the board reports" to ${url}/ in its tools`,
    },
    {
      name: 'demo device 2',
      port: ports[1],
      dir: join(dir, 'device-2'),
      healthCheck: switchableHealthCheck(resolve(failSwitch), failSwitch),
      note: () => `its health check fails while ${failSwitch} exists (touch it to see a rollback)`,
    },
  ];

  const running: RunningAgent[] = [];
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled(running.map((agent) => agent.close())).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);

  const trustedKeys = demoTrustedKeys(dir);
  const lines: string[] = [];
  for (const device of devices) {
    try {
      const agent = await startAgent({
        dir: device.dir,
        port: device.port,
        password: DEMO_SECRET,
        product: DEMO_PRODUCT,
        chipFamily: DEMO_CHIP_FAMILY,
        board: DEMO_BOARD,
        version: DEMO_FACTORY_VERSION,
        ...(device.healthCheck ? { healthCheck: device.healthCheck } : {}),
        ...(trustedKeys ? { trustedKeys } : {}),
        log: (line) => process.stdout.write(`[${device.name}] ${line}\n`),
      });
      running.push(agent);
      const version = agent.device.document().version;
      lines.push(`  ${agent.url}  ${DEMO_PRODUCT} ${version}; ${device.note(agent.url)}`);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? `127.0.0.1:${device.port} is already in use (another npm start?). Free the port, or start with other ones: npm start -- --demo-ports 9070,9071`
        : error instanceof Error ? error.message : String(error);
      lines.push(`  ${device.name} not started: ${reason}`);
    }
  }
  process.stdout.write(
    `Demo devices on loopback (${DEMO_CHIP_FAMILY} ${DEMO_BOARD}, data in ${join(dir, '/')}), pairing secret "${DEMO_SECRET}" (a demo secret, never for a real device), ` +
      `${trustedKeys ? 'installing only releases signed by the demo publisher' : 'installing unsigned releases too (build the app first for the demo publisher key)'}:\n${lines.join('\n')}\n`,
  );
  if (running.length === 0 && !stopping) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
