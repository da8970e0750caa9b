// npm run push -- URL bundle.zip [--password-file F] [--force] [--throttle KiB/s] [--transport http|webrtc] [--client-id ID]
//   [--apply-at TIME [--wait]]
// npm run push -- URL bundle.zip --compat esphome|elegantota [--user NAME] [--password-file F] [--chip FAMILY]
// Updates one device from a terminal with the same client the app uses, and ends with the device's verdict, or with
// the time of the reboot the device scheduled (docs/protocol.md §5.1). A source-tree release goes to a device that
// takes trees as the files that differ from the device's, and push says how many bytes that saved (§4.8). With --compat, a device already in the field
// running ESPHome or ElegantOTA instead (compat-command.ts).

import { openAsBlob } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { BundleError, readBundle, type Release } from '@fieldflash/bundle';
import { COMPAT_KINDS, type CompatKind, CompatRefusal } from '../compat-upload.ts';
import { parseDeviceDocument } from '../device-document.ts';
import { DeviceRefusal } from '../error-codes.ts';
import { planRelease } from '../release-image.ts';
import { expectOk } from '../replies.ts';
import { LinkError } from '../transport.ts';
import { scheduleUpdate, UpdateError, updateDevice, type UpdateOptions, type UpdateVerdict } from '../updater.ts';
import { APPLY_AT_FORMS, localTime, parseApplyAt } from './apply-at.ts';
import { compatVerdictLine, runCompatPush } from './compat-command.ts';
import { NodeHttpTransport } from './node-http-transport.ts';
import { ProgressView } from './progress-view.ts';
import { readSecret, SECRET_ENV } from './secret-input.ts';

export const EXIT = { confirmed: 0, scheduled: 0, rolledBack: 1, refused: 2, failed: 3, unverified: 4, usage: 64 } as const;

const USAGE = `Usage: npm run push -- URL bundle.zip [--password-file FILE] [--force] [--throttle KiB/s] [--transport http|webrtc] [--client-id ID]
                        [--apply-at TIME [--wait]]
       npm run push -- URL bundle.zip --compat esphome|elegantota [--user NAME] [--password-file FILE] [--chip FAMILY]

Updates the device at URL (e.g. http://192.168.1.40:8070) with the release in bundle.zip over the FieldFlash LAN
protocol, then reboots it and reports whether the new image was confirmed or rolled back. A MicroPython source
tree goes to an agent that takes trees as only the files that differ from the device's.
The device's pairing code or password is read from FILE or from the ${SECRET_ENV} environment variable;
--password P gives it on the command line, for demos (anyone who lists processes can read it).
--apply-at TIME sends and commits now and has the device reboot into the image at TIME, 1 s to 7 days ahead:
${APPLY_AT_FORMS}. It ends once the reboot is scheduled (exit 0), or with --wait after the verdict.
--compat sends the release's app image to a device already in the field the way ESPHome (POST /update) or
ElegantOTA (/ota/start, /ota/upload) takes it, with HTTP Basic credentials: --user (default admin) and the password
(none given: no credentials). No resume, no slot information, no rollback report: the verdict is only whether the
device comes back reporting the new version, where it reports one (exit 4 when it reports none).
Exit codes: 0 confirmed, 1 rolled back (or back on the old version), 2 refused by the device, 3 could not finish,
4 sent but not verified, 64 wrong arguments.`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      password: { type: 'string' },
      'password-file': { type: 'string' },
      force: { type: 'boolean', default: false },
      throttle: { type: 'string' },
      transport: { type: 'string', default: 'http' },
      'client-id': { type: 'string' },
      'apply-at': { type: 'string' },
      wait: { type: 'boolean', default: false },
      compat: { type: 'string' },
      user: { type: 'string' },
      chip: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const [url, bundle, ...rest] = positionals;
  if (!url || !bundle || rest.length > 0) throw new UsageError('Give the device URL and the bundle file.');
  if (!/^https?:\/\//.test(url)) throw new UsageError(`${url} is not an http:// URL of a device.`);
  let compat: CompatKind | undefined;
  if (values.compat !== undefined) {
    if (!(COMPAT_KINDS as readonly string[]).includes(values.compat)) throw new UsageError(`--compat must be ${COMPAT_KINDS.join(' or ')}, not ${values.compat}.`);
    compat = values.compat as CompatKind;
    const protocolFlags = { force: values.force, throttle: values.throttle, 'apply-at': values['apply-at'], 'client-id': values['client-id'], transport: values.transport !== 'http' };
    const protocolOnly = Object.entries(protocolFlags).find(([, value]) => value !== undefined && value !== false);
    if (protocolOnly) throw new UsageError(`--${protocolOnly[0]} needs the FieldFlash protocol; a device in compatibility mode takes none of it.`);
  } else if (values.user !== undefined || values.chip !== undefined) {
    throw new UsageError(`--${values.user !== undefined ? 'user' : 'chip'} goes with --compat.`);
  }
  const secretGiven = values.password !== undefined || values['password-file'] !== undefined || Boolean(process.env[SECRET_ENV]);
  // A device in compatibility mode may have no credentials configured: then none are sent.
  const secret = compat && !secretGiven ? { secret: undefined } : readSecret({ password: values.password, passwordFile: values['password-file'], env: process.env });
  if (typeof secret === 'string') throw new UsageError(secret);
  const transport = values.transport;
  if (transport !== 'http' && transport !== 'webrtc') throw new UsageError(`--transport must be http or webrtc, not ${transport}.`);
  let throttle: number | undefined;
  if (values.throttle !== undefined) {
    throttle = Number(values.throttle);
    if (!(throttle > 0)) throw new UsageError(`--throttle takes a speed in KiB/s greater than 0, not ${values.throttle}.`);
  }
  let applyAt: Date | undefined;
  if (values['apply-at'] !== undefined) {
    const at = parseApplyAt(values['apply-at']);
    if (typeof at === 'string') throw new UsageError(at);
    applyAt = at;
  } else if (values.wait) {
    throw new UsageError('--wait goes with --apply-at: without it, push always waits for the verdict.');
  }
  const clientId = values['client-id'] ?? `push-${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 64);
  const compatCommand = compat ? { url, kind: compat, user: values.user ?? 'admin', password: secret.secret, chip: values.chip } : undefined;
  return { url, bundle, password: secret.secret ?? '', passwordWarning: 'warning' in secret ? secret.warning : undefined, force: values.force, transport, throttle, clientId, applyAt, wait: values.wait, compat: compatCommand } as const;
}

export function verdictLine(verdict: UpdateVerdict): string {
  const { device } = verdict;
  // A source tree is in no slot: the device runs it from its tree's folder (docs/protocol.md §4.8).
  const tree = verdict.slot === 'tree';
  const where = tree ? 'as its source tree' : `in slot ${verdict.slot}`;
  if (verdict.outcome === 'confirmed') return `confirmed: ${device.product} ${verdict.version} ${where}`;
  const running = device.slots.find((s) => s.state === 'active');
  const now = tree ? `; the device runs ${device.version} again` : running ? `; the device runs ${running.version} in slot ${running.name}` : '';
  return `rolled back: ${device.product} ${verdict.version} ${where} did not pass its test boot (${verdict.reason ?? 'no reason given'})${now}`;
}

async function readRelease(path: string): Promise<Release> {
  let data: Blob;
  try {
    data = await openAsBlob(path);
  } catch (err) {
    throw new UpdateError(`Cannot read ${path}: ${(err as Error).message}.`);
  }
  const releases = await readBundle({ name: basename(path), data });
  if (releases.length !== 1) throw new UpdateError(`${path} holds ${releases.length} releases; give a bundle with one.`);
  return releases[0]!;
}

export async function push(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let args;
  try {
    args = parse(argv);
  } catch (e) {
    err.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (!args) {
    out.write(`${USAGE}\n`);
    return EXIT.confirmed;
  }
  if (args.passwordWarning) err.write(`warning: ${args.passwordWarning}\n`);
  const view = new ProgressView(out);
  try {
    const release = await readRelease(args.bundle);
    if (args.compat) {
      const result = await runCompatPush(args.compat, release, out);
      out.write(`${compatVerdictLine(result, release.version)}\n`);
      return { 'new-version': EXIT.confirmed, 'old-version': EXIT.rolledBack, unverified: EXIT.unverified }[result.outcome];
    }
    const probe = new NodeHttpTransport({ url: args.url, clientId: args.clientId });
    const device = await probe
      .request('GET', '/device')
      .then((reply) => expectOk(reply, parseDeviceDocument, 'the device document request'))
      .finally(() => probe.close());
    const plan = planRelease(release, device);
    out.write(`${device.product} ${device.id} runs ${device.version}; sending ${release.product} ${release.version} (${plan.description}) over ${args.transport}\n`);
    const options: UpdateOptions = {
      url: args.url,
      password: args.password,
      clientId: args.clientId,
      release: plan.release,
      image: plan.image,
      ...(plan.signedRelease ? { signedRelease: plan.signedRelease } : {}),
      force: args.force,
      transport: args.transport,
      httpTransport: (target) => new NodeHttpTransport(target),
      ...(args.transport === 'webrtc' ? { newPeerConnection: await nodePeerConnection() } : {}),
      ...(args.throttle ? { throttleKiBps: args.throttle } : {}),
      onProgress: (p) => view.update(p),
    };
    if (args.applyAt && !args.wait) {
      const scheduled = await scheduleUpdate({ ...options, applyAt: args.applyAt });
      view.finish();
      out.write(`scheduled: ${device.product} ${scheduled.version} in slot ${scheduled.slot} applies at ${localTime(scheduled.appliesAt)}; the device document gives the verdict after that reboot\n`);
      return EXIT.scheduled;
    }
    const verdict = await updateDevice({ ...options, ...(args.applyAt ? { applyAt: args.applyAt } : {}) });
    view.finish();
    out.write(`${verdictLine(verdict)}\n`);
    return verdict.outcome === 'confirmed' ? EXIT.confirmed : EXIT.rolledBack;
  } catch (e) {
    view.finish();
    if (e instanceof DeviceRefusal || e instanceof CompatRefusal) {
      err.write(`refused (${e.code}): ${e.message}\n`);
      return EXIT.refused;
    }
    if (e instanceof UpdateError || e instanceof LinkError || e instanceof BundleError) {
      err.write(`failed: ${e.message}${e instanceof BundleError ? ` ${e.hint}` : ''}\n`);
      return EXIT.failed;
    }
    throw e;
  }
}

async function nodePeerConnection() {
  const { RTCPeerConnection } = await import('node-datachannel/polyfill');
  return () => new RTCPeerConnection({ iceServers: [] }) as never;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await push(process.argv.slice(2));
  // node-datachannel keeps native threads alive; the verdict is printed, so leave.
  setImmediate(() => process.exit());
}
