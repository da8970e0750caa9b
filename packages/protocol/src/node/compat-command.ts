// npm run push -- URL bundle.zip --compat esphome|elegantota [--user NAME] [--password-file F] [--chip FAMILY]
// A device already in the field, running ESPHome's web_server OTA or ElegantOTA: the release's app image goes up the
// way that system takes it, and the verdict is only whether the device comes back reporting the new version.

import type { Release } from '@fieldflash/bundle';
import { COMPAT_NAMES, type CompatKind, type CompatProgress } from '../compat-upload.ts';
import { compatImages } from '../compat-release.ts';
import { deviceDocumentVersion, pushCompat, type CompatPushResult } from '../compat-push.ts';
import { UpdateError } from '../update-error.ts';
import { nodeSend } from './compat-node-send.ts';

export interface CompatCommand {
  url: string;
  kind: CompatKind;
  user: string;
  password: string | undefined;
  chip: string | undefined;
}

export const COMPAT_LIMITS =
  'Compatibility mode: no resume (a broken upload starts again from its first byte), no slot information, no rollback report; the verdict is only whether the device comes back reporting the new version, where it reports one.';

/** The build's image for the device: the only one, or the one for --chip. */
function imageFor(release: Release, chip: string | undefined) {
  const images = compatImages(release);
  if (images.length === 1 && chip === undefined) return images[0]!;
  const chips = release.builds.map((b) => b.target.chipFamily ?? 'any chip');
  if (chip === undefined) throw new UpdateError(`${release.product} ${release.version} has builds for ${chips.join(', ')}; say which with --chip.`);
  const index = chips.findIndex((c) => c.toLowerCase() === chip.toLowerCase());
  if (index < 0) throw new UpdateError(`${release.product} ${release.version} has no build for ${chip}; it has ${chips.join(', ')}.`);
  return images[index]!;
}

function progressLine(out: NodeJS.WritableStream): (p: CompatProgress) => void {
  let last = '';
  let tenth = -1;
  return (p) => {
    const percent = p.size > 0 ? Math.floor((p.sentBytes / p.size) * 100) : 0;
    if (p.phase === 'sending') {
      if (Math.floor(percent / 10) === tenth) return;
      tenth = Math.floor(percent / 10);
      out.write(`sending ${percent}% ${(p.sentBytes / 1048576).toFixed(1)}/${(p.size / 1048576).toFixed(1)} MiB\n`);
      return;
    }
    const words = { hashing: 'computing the MD5', starting: 'starting the update', waiting: 'waiting for the device to come back', sending: '' }[p.phase];
    if (words !== last) out.write(`${words}\n`);
    last = words;
  };
}

export function compatVerdictLine(result: CompatPushResult, version: string): string {
  if (result.outcome === 'new-version') return `new version: the device came back reporting ${result.version}`;
  if (result.outcome === 'old-version') return `old version: ${result.reason}`;
  return `sent, not verified: ${version} was sent; ${result.reason}`;
}

export async function runCompatPush(command: CompatCommand, release: Release, out: NodeJS.WritableStream): Promise<CompatPushResult> {
  const image = imageFor(release, command.chip);
  out.write(`${COMPAT_LIMITS}\n`);
  out.write(`sending ${release.product} ${release.version} (${image.file.path}) to ${command.url} as ${COMPAT_NAMES[command.kind]} takes it${command.password === undefined ? ', without credentials' : ''}\n`);
  return pushCompat({
    kind: command.kind,
    url: command.url,
    user: command.user,
    ...(command.password !== undefined ? { password: command.password } : {}),
    image: image.file.data,
    filename: image.file.path.split('/').pop() ?? 'firmware.bin',
    version: release.version,
    send: nodeSend(),
    readVersion: deviceDocumentVersion(command.url),
    onProgress: progressLine(out),
  });
}
