// Offering the image and sending it (docs/protocol.md §4): the device says which image it wants and from which
// offset; after every interruption the client asks again and resumes where the device is, never where it thinks.
// The bytes go in one request (single-request.ts) or in pipelined chunks (sender.ts).

import type { ImageSource } from './image-source.ts';
import { expectOk } from './replies.ts';
import { type PumpResult, pumpChunks } from './sender.ts';
import { offeredRelease } from './signed-offer.ts';
import { canSendRest, refusesSingleRequest, sendRest } from './single-request.ts';
import { LinkError } from './transport.ts';
import { isSourceTreeImage } from './tree-image.ts';
import { treeImage } from './tree-update.ts';
import { parseUpdateSession, type UpdateOffer, type UpdateSession } from './update-messages.ts';
import { UpdateError } from './update-error.ts';
import type { UpdateRun } from './update-run.ts';

/** Offers the release; the reply is the device's session: the image it chose, its slot and its offset. */
export async function offerUpdate(run: UpdateRun): Promise<UpdateSession> {
  const link = await run.link.ensureLink();
  const { image, force, release } = run.options;
  let offer: UpdateOffer;
  if (isSourceTreeImage(image)) {
    run.treePayload ??= await treeImage(run, image);
    offer = { ...release, sha256: run.treePayload.sha256, size: run.treePayload.size };
  } else if (Array.isArray(image)) {
    const names = run.device.slots.map((s) => s.name);
    if (names.length < 2) throw new UpdateError(`The release has one image per slot, but the device has ${names.length} slot(s).`);
    const images = image.map((img, i) => ({ slot: names[i]!, sha256: img.sha256, size: img.size }));
    offer = { ...release, sha256: images[0]!.sha256, size: images[0]!.size, images };
  } else {
    offer = { ...release, sha256: image.sha256, size: image.size };
  }
  if (force) offer.force = true;
  // Only a device that verifies releases needs them (§4.9); small devices bound their JSON bodies (§1.3).
  if (run.options.signedRelease && run.device.capabilities.includes('signed-releases')) offer.release = run.offeredRelease ??= await offeredRelease(run.options.signedRelease);
  return expectOk(await link.request('POST', '/updates', offer), parseUpdateSession, 'the update offer');
}

/** The release's image the device's session asks for. */
export function imageFor(run: UpdateRun, session: UpdateSession): ImageSource {
  const { options } = run;
  const candidates = run.treePayload ? [run.treePayload] : Array.isArray(options.image) ? options.image : isSourceTreeImage(options.image) ? [] : [options.image];
  const image = candidates.find((c) => c.sha256 === session.sha256 && c.size === session.size);
  if (!image) throw new UpdateError(`The device asked for an image (${session.sha256.slice(0, 12)}…, ${session.size} bytes) that this release does not have.`);
  return image;
}

/**
 * Sends until the device holds every byte, resuming from the offset it reports after every interruption. Over HTTP
 * without a speed limit the rest goes in one request (§4.6), again after each break; with a limit, the throttle paces
 * chunks. A device that refuses the single request gets chunks from then on; one that broke it before keeping a byte
 * (a device that resets such requests, or a browser that would not send it) gets chunks until the next break.
 */
export async function sendImage(run: UpdateRun, start: UpdateSession, image: ImageSource): Promise<UpdateSession> {
  const { progress, retries, throttle, options } = run;
  let session = start;
  let failures = 0;
  let sentBefore = progress.current.sentBytes;
  let single = throttle === undefined;
  let chunksThisTime = false;
  while (session.offset < session.size && session.state !== 'complete') {
    const link = await run.link.ensureLink();
    progress.report({ phase: 'sending', offset: session.offset });
    const from = session.offset;
    const whole: boolean = single && !chunksThisTime && canSendRest(link, image);
    const report = (offset: number, sent: number) => progress.report({ phase: 'sending', offset, sentBytes: sentBefore + sent });
    const signal = options.signal ? { signal: options.signal } : {};
    let deviceHas = from;
    const result: PumpResult = whole
      ? await sendRest({
          transport: link,
          image,
          session,
          ...signal,
          onSent: (sent) => report(deviceHas, sent),
          onDevice: (offset) => progress.report({ phase: 'sending', offset: (deviceHas = Math.max(deviceHas, offset)) }),
        })
      : await pumpChunks({
          transport: link,
          image,
          session,
          // Over HTTP each chunk in flight holds a connection; one stays free for the control requests (§1.3).
          ...(link.kind === 'http' ? { maxInFlight: run.device.maxConnections - 1 } : {}),
          ...(throttle ? { throttle } : {}),
          ...signal,
          onAck: report,
        });
    sentBefore = progress.current.sentBytes;
    // The single request's reply is its one acknowledgement.
    if (whole && result.offset > deviceHas) progress.report({ phase: 'sending', offset: result.offset });
    if (!result.failure) break;
    if (whole && refusesSingleRequest(result.failure)) {
      // Refused before a byte of the body was taken: the device is where it was, and takes chunks.
      single = false;
      continue;
    }
    if (result.offset > from) failures = 0;
    failures = await retries.afterFailure(result.failure, failures);
    session = await retries.retrying('offering', () => offerUpdate(run));
    // A single request's progress shows only in the device's offset.
    if (session.offset > from) failures = 0;
    chunksThisTime = whole && session.offset <= from && result.failure instanceof LinkError;
  }
  return session;
}
