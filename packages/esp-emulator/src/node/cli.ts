// npm run emulator -- --chip esp32 --tcp 127.0.0.1:5555 [--boot app] [--wire-time] [--flash-time] [--flash-size 16MB]
//                     [--flash-file board.bin] [--mac 24:0a:c4:12:34:56] [--pty]
//                     [--wifi "FieldLab:passphrase:-48,Guest"] [--device-url http://192.168.4.57/]
import { parseArgs } from 'node:util';
import type { SimulatedNetwork } from '../app/simulated-wifi.ts';
import { EspEmulator } from '../emulator.ts';
import { BOOT_FAULTS, isBootFault } from '../boot/boot-faults.ts';
import { isChipName } from '../registers/chips.ts';
import { loadFlashFile, saveFlashFile } from './flash-file.ts';
import { startPtyBridge } from './pty-bridge.ts';
import { startTcpEmulator } from './tcp-server.ts';

const USAGE = `Usage: npm run emulator -- --chip esp32|esp32s3|esp32c3 --tcp HOST:PORT [options]
  --tcp HOST:PORT     serve the chip as socket://HOST:PORT (raw TCP, as pyserial opens it)
  --pty               serve it on a pseudo-terminal instead (needs python3; prints the device path)
  --boot app          boot the flashed app at power-up (default: download mode, as if BOOT were held)
  --boot-fault FAULT  the flashed app fails after starting, or prints nothing (silent), at every boot: ${BOOT_FAULTS.join(', ')}
  --wire-time         pace bytes at the chip's baud rate (default: as fast as TCP goes)
  --flash-time        erases and writes take the flash chip's datasheet time (default: with --wire-time)
  --flash-size SIZE   1MB, 2MB, 4MB (default), 8MB, 16MB, 32MB
  --flash-file PATH   load flash from PATH at start and save it back after every change
  --mac MAC           base MAC address, e.g. 24:0a:c4:12:34:56
  --wifi NETWORKS     networks the demo app sees over Improv Serial: SSID[:PASSWORD[:RSSI]], comma-separated
                      (no password: an open network), e.g. "FieldLab:lab-passphrase-24:-48,Guest"
  --device-url URL    the URL the demo app reports once it has joined a network`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseSize(text: string): number {
  const match = /^(\d+)\s*(MB|M|MiB|KB|K|KiB)?$/i.exec(text.trim());
  if (!match) fail(`--flash-size: "${text}" is not a size like 4MB or 16MB`);
  const unit = (match[2] ?? 'MB').toUpperCase().startsWith('K') ? 1024 : 1024 * 1024;
  return Number(match[1]) * unit;
}

function parseNetworks(text: string): SimulatedNetwork[] {
  return text.split(',').map((entry) => {
    const [ssid = '', password = '', rssi = '-60'] = entry.split(':');
    if (!ssid.trim()) fail(`--wifi: "${entry}" has no network name`);
    if (!/^-?\d+$/.test(rssi.trim())) fail(`--wifi: signal "${rssi}" of "${ssid}" is not a whole number of dBm`);
    return password ? { ssid: ssid.trim(), password, rssi: Number(rssi) } : { ssid: ssid.trim(), rssi: Number(rssi) };
  });
}

function parseHostPort(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) fail(`--tcp: "${text}" is not HOST:PORT (e.g. 127.0.0.1:5555)`);
  return { host: text.slice(0, at), port };
}

const { values } = parseArgs({
  options: {
    chip: { type: 'string', default: 'esp32' },
    tcp: { type: 'string' },
    pty: { type: 'boolean', default: false },
    boot: { type: 'string', default: 'download' },
    'boot-fault': { type: 'string' },
    'wire-time': { type: 'boolean', default: false },
    'flash-time': { type: 'boolean' },
    'flash-size': { type: 'string' },
    'flash-file': { type: 'string' },
    mac: { type: 'string' },
    wifi: { type: 'string' },
    'device-url': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const chipName = values.chip ?? 'esp32';
if (!isChipName(chipName)) fail(`--chip: "${chipName}" is not one of esp32, esp32s3, esp32c3`);
if (values.boot !== 'app' && values.boot !== 'download') fail(`--boot: "${values.boot}" must be app or download`);
const bootFault = values['boot-fault'];
if (bootFault !== undefined && !isBootFault(bootFault)) fail(`--boot-fault: "${bootFault}" is not one of ${BOOT_FAULTS.join(', ')}`);
if (!values.tcp === !values.pty) fail('say where to serve the chip: --tcp HOST:PORT or --pty (one host at a time, as with a real port)');

let chip: EspEmulator;
try {
  chip = new EspEmulator({
    chip: chipName,
    wireTime: values['wire-time'],
    flashTime: values['flash-time'] ?? values['wire-time'],
    powerOnBoot: values.boot,
    ...(bootFault ? { bootFault } : {}),
    ...(values['flash-size'] ? { flashSize: parseSize(values['flash-size']) } : {}),
    ...(values.mac ? { mac: values.mac } : {}),
    wifi: {
      ...(values.wifi ? { networks: parseNetworks(values.wifi) } : {}),
      ...(values['device-url'] ? { deviceUrl: values['device-url'] } : {}),
    },
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const flashFile = values['flash-file'];
if (flashFile) {
  try {
    if (loadFlashFile(chip, flashFile)) process.stdout.write(`Loaded flash from ${flashFile}\n`);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

const closers: Array<() => Promise<void> | void> = [];
if (values.tcp) {
  const { host, port } = parseHostPort(values.tcp);
  try {
    const server = await startTcpEmulator({ chip, host, port });
    closers.push(() => server.close());
    process.stdout.write(`${chip.chip.family} emulator (${chip.flashSize / 1048576} MB flash, MAC ${chip.mac}) on ${server.url}\n`);
  } catch (error) {
    fail(`cannot listen on ${values.tcp}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (values.pty) {
  try {
    const bridge = await startPtyBridge(chip);
    closers.push(() => bridge.close());
    process.stdout.write(`${chip.chip.family} emulator on ${bridge.path} (baud and modem lines are cosmetic on a pty)\n`);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

// Save after changes settle rather than on every block: a 4 MB write per 16 KB block would be wasteful.
let savedAt = -1;
const changes = (): number => chip.stats.flashBytesProgrammed + chip.stats.flashSectorsErased;
const save = (): void => {
  if (!flashFile || changes() === savedAt) return;
  savedAt = changes();
  saveFlashFile(chip, flashFile);
};
if (flashFile) {
  savedAt = changes();
  setInterval(save, 1000).unref();
}

const stop = async (): Promise<void> => {
  save();
  for (const close of closers) await close();
  chip.dispose();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
