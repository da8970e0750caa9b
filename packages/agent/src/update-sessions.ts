// Update sessions, keyed by the image's SHA-256: the offer and its refusals, pipelined chunks, commit into the
// inactive slot. One client holds the device at a time; the hold lapses after the idle or total timeout, and the
// partial upload stays on disk for whoever resumes it.
import { createHash } from 'node:crypto';
import { type ChunkAck, type CommitReply, contentDigestSha256, fromBase64, type UpdateOffer, type UpdateSession } from '@fieldflash/protocol';
import { describeFailure, runCommand } from './commands.ts';
import type { Device } from './device.ts';
import { fsyncFile } from './durable.ts';
import { AgentRefusal } from './errors.ts';
import { checkAgainstOffer, readImageFacts } from './image-claims.ts';
import type { ImageInfo } from './journal.ts';
import { checkOffer } from './offer-checks.ts';
import { sameSignedFacts, signedImage } from './signed-release.ts';
import type { Upload } from './uploads.ts';

interface Hold {
  clientId: string;
  sha256: string;
  startedAt: number;
  lastActivity: number;
}

export class UpdateSessions {
  private hold: Hold | null = null;
  /** The last commit that ended the upload it committed, so a retried commit gets the same answer (§5). */
  private lastCommit: { sha256: string; refusal?: AgentRefusal } | null = null;
  /** A client whose session outlived the total timeout waits this out, so others get their turn. */
  private cooldown: { clientId: string; until: number } | null = null;
  /** The commit in progress: one at a time, and a commit of the same image asked again meanwhile gets its answer. */
  private committing: { clientId: string; sha256: string; reply: Promise<CommitReply> } | null = null;

  constructor(
    private readonly device: Device,
    private readonly now: () => number = Date.now,
  ) {}

  private get config() {
    return this.device.config;
  }

  /** Who holds the device now, if the hold has not lapsed. */
  holder(): Hold | null {
    const hold = this.hold;
    if (!hold) return null;
    const now = this.now();
    const idle = now - hold.lastActivity >= this.config.idleTimeoutMs;
    if (idle || now - hold.startedAt >= this.config.totalTimeoutMs) {
      this.config.log(`update session of ${hold.clientId} lapsed (${idle ? 'idle' : 'total time'}); its partial upload is kept`);
      if (!idle) this.cooldown = { clientId: hold.clientId, until: now + this.config.idleTimeoutMs };
      this.hold = null;
    }
    return this.hold;
  }

  release(): void {
    this.hold = null;
  }

  /** Resolves once no commit is under way (a scheduled reboot waits for one, §5.1). */
  async settled(): Promise<void> {
    await this.committing?.reply.catch(() => undefined);
  }

  /** A restart forgets the hold and the remembered answer to the last commit; the partial uploads stay on disk. */
  restarted(): void {
    this.hold = null;
    this.lastCommit = null;
  }

  /** Refuses `clientId` while another client holds the device: the busy check, which comes before the session's own. */
  private checkFree(clientId: string): Hold | null {
    const hold = this.holder();
    if (hold && hold.clientId !== clientId) {
      throw new AgentRefusal('busy', `Another client (${hold.clientId}) is updating this device. Wait until it finishes, or until its session lapses after ${Math.round(this.config.idleTimeoutMs / 1000)} s without data.`);
    }
    return hold;
  }

  /** Takes or renews the hold for `clientId` on `sha256`; another live holder means busy. */
  take(clientId: string, sha256: string): void {
    const hold = this.checkFree(clientId);
    const now = this.now();
    if (!hold && this.cooldown && this.cooldown.clientId === clientId && now < this.cooldown.until) {
      const wait = Math.ceil((this.cooldown.until - now) / 1000);
      throw new AgentRefusal('timeout', `This update session ran longer than the device allows (${Math.round(this.config.totalTimeoutMs / 1000)} s) and lost its hold so others can update. Offer again in ${wait} s to continue from where the device is.`);
    }
    if (hold && hold.sha256 === sha256) hold.lastActivity = now;
    else this.hold = { clientId, sha256, startedAt: now, lastActivity: now };
  }

  private session(upload: { sha256: string; size: number; offset: number }): UpdateSession {
    return {
      sha256: upload.sha256,
      size: upload.size,
      slot: this.device.store.inactiveSlot,
      offset: upload.offset,
      chunkSize: this.config.chunkSize,
      window: this.config.window,
      state: upload.offset === upload.size ? 'complete' : 'receiving',
    };
  }

  /** The image is already committed into the pending slot: nothing left to send. */
  private committed(sha256: string): { sha256: string; size: number } | null {
    const slot = this.device.store.pendingSlot;
    const record = slot ? this.device.store.journal.slots[slot] : undefined;
    return record && record.state !== 'empty' && record.sha256 === sha256 ? record : null;
  }

  async offer(clientId: string, offer: UpdateOffer): Promise<UpdateSession> {
    const hold = this.holder();
    if (hold && hold.clientId !== clientId) this.take(clientId, offer.sha256);
    const { target, signed } = await checkOffer(this.device, offer);
    this.take(clientId, target.sha256);
    const done = this.committed(target.sha256);
    if (done) return this.session({ ...done, offset: done.size });
    const image: ImageInfo = signed
      ? signedImage(target, signed)
      : {
          ...target,
          version: offer.version,
          sequence: offer.sequence ?? this.device.store.activeImage.sequence,
          securityVersion: offer.securityVersion ?? 0,
          counterSources: { sequence: offer.sequence === undefined ? this.device.counterSources.sequence : 'offer', securityVersion: 'offer' },
        };
    const offeredSecurityVersion = signed ? signed.securityVersion : offer.securityVersion;
    const uploads = this.device.uploads;
    let upload = uploads.get(target.sha256);
    if (upload && (upload.meta.size !== target.size || (signed && !sameSignedFacts(upload.meta, image)))) {
      // A partial upload resumes only under the facts this offer's verified manifest gives: one kept from an offer
      // before the device trusted keys, or from another signed release of the same bytes, starts again.
      await uploads.discard(target.sha256);
      upload = undefined;
    }
    upload ??= await uploads.create({ ...image, slot: this.device.store.inactiveSlot, createdAt: this.now(), ...(offeredSecurityVersion === undefined ? {} : { offeredSecurityVersion }) });
    this.config.log(`${clientId}: update to ${image.version} (${target.sha256.slice(0, 12)}…), ${target.size} bytes${signed ? `, signed by key ${signed.keyId}` : ''}, continuing at ${upload.offset}`);
    return this.session({ sha256: target.sha256, size: target.size, offset: upload.offset });
  }

  /** The stored partial upload of `sha256`, whoever offered it and whenever: a session outlives holds and restarts. */
  private upload(clientId: string, sha256: string): Upload {
    this.checkFree(clientId);
    const upload = this.device.uploads.get(sha256);
    if (!upload) throw new AgentRefusal('unknown-session', 'The device has no update session for this image. Offer the update again.');
    this.take(clientId, sha256);
    return upload;
  }

  status(clientId: string, sha256: string): UpdateSession {
    const done = this.committed(sha256);
    if (done) return this.session({ ...done, offset: done.size });
    const upload = this.upload(clientId, sha256);
    return this.session({ sha256, size: upload.meta.size, offset: upload.offset });
  }

  async chunk(clientId: string, sha256: string, offset: number, digest: string | undefined, bytes: Uint8Array): Promise<ChunkAck> {
    const { chunkSize, window } = this.config;
    // Syntax first, then busy and the session, then the chunk against the session (docs/protocol.md §1.2).
    if (bytes.length > chunkSize) throw new AgentRefusal('too-large', `A chunk may hold at most ${chunkSize} bytes; this one has ${bytes.length}.`, { chunkSize });
    if (bytes.length === 0) throw new AgentRefusal('bad-request', 'The chunk is empty.');
    const claimed = digest ? contentDigestSha256(digest) : undefined;
    if (!claimed) throw new AgentRefusal('bad-request', 'Each chunk needs a Content-Digest header with a sha-256 member: sha-256=:<44 base64 characters>:.');
    const upload = this.upload(clientId, sha256);
    const size = upload.meta.size;
    if (offset < upload.offset || offset >= upload.offset + window * chunkSize || offset >= size) {
      throw new AgentRefusal('offset-mismatch', `The device expects chunks from offset ${upload.offset} (window ${window} × ${chunkSize} bytes); this one starts at ${offset}.`, { offset: upload.offset });
    }
    if (offset + bytes.length > size) {
      throw new AgentRefusal('bad-request', `A chunk of ${bytes.length} bytes at ${offset} runs past the end of the image (${size} bytes).`, { offset: upload.offset });
    }
    const actual = createHash('sha256').update(bytes).digest();
    if (!actual.equals(fromBase64(claimed))) {
      throw new AgentRefusal('chunk-corrupt', `The chunk at ${offset} arrived damaged (its SHA-256 does not match Content-Digest); nothing of it was kept. Send it again.`, { offset: upload.offset });
    }
    const contiguous = await upload.writeChunk(offset, bytes);
    this.take(clientId, sha256);
    return { offset: contiguous, size };
  }

  /**
   * One request carrying the rest of the image from the device's offset, streamed to storage as it arrives, with
   * no per-chunk digest: the whole image's SHA-256 at commit is the guard. Progress is made durable every MiB, so
   * a broken connection leaves the offset at what is on disk. Each piece renews the hold, as each chunk does, so a
   * slow link does not lose it in the middle of the request.
   */
  async stream(clientId: string, sha256: string, offset: number, body: AsyncIterable<Uint8Array>): Promise<ChunkAck> {
    const upload = this.upload(clientId, sha256);
    const size = upload.meta.size;
    if (offset !== upload.offset) {
      throw new AgentRefusal('offset-mismatch', `A streamed upload must start where the device is, at ${upload.offset}; this one starts at ${offset}.`, { offset: upload.offset });
    }
    this.config.log(`${clientId}: the rest of ${sha256.slice(0, 12)}… in one request, from ${offset}`);
    let at = offset;
    let unsynced = 0;
    try {
      for await (const piece of body) {
        if (at + piece.length > size) {
          throw new AgentRefusal('bad-request', `The upload runs past the image's ${size} bytes; the device kept the first ${upload.offset}.`, { offset: upload.offset });
        }
        await upload.write(at, piece);
        at += piece.length;
        unsynced += piece.length;
        this.take(clientId, sha256);
        if (unsynced >= 1 << 20) {
          unsynced = 0;
          await upload.sync();
        }
      }
    } catch (error) {
      // The connection broke (the client's link, or the client gave up): no fault of the device's, nothing to log as one.
      if ((error as { code?: string }).code !== 'ECONNRESET') throw error;
      throw new AgentRefusal('bad-request', `The request broke off after ${at - offset} bytes; the device kept ${upload.offset}. Continue from its offset.`, { offset: upload.offset });
    } finally {
      await upload.sync();
      if (at < size) this.config.log(`${clientId}: the request ended at ${at} of ${size} bytes; ${upload.offset} are on disk`);
    }
    return { offset: upload.offset, size };
  }

  /**
   * A commit whose reply was lost is asked again: the device answers it as it answered the first time (§5), from the
   * pending slot, or from the remembered answer to the last commit, refusals included.
   */
  private repeatedCommit(sha256: string): CommitReply | null {
    const done = this.committed(sha256);
    if (done) return { slot: this.device.store.pendingSlot!, state: 'pending' };
    if (this.device.uploads.get(sha256) || this.lastCommit?.sha256 !== sha256) return null;
    if (this.lastCommit.refusal) throw this.lastCommit.refusal;
    return null;
  }

  /**
   * Commits one image at a time. A commit of the same image by the same client while it runs (a retry whose first
   * reply is still on its way) gets the same answer; any other commit meanwhile is busy. A commit asked again after
   * it ended gets the answer it got then.
   */
  async commit(clientId: string, sha256: string): Promise<CommitReply> {
    const running = this.committing;
    if (running) {
      if (running.clientId === clientId && running.sha256 === sha256) return running.reply;
      throw new AgentRefusal('busy', 'The device is committing another image. Wait until it has finished.');
    }
    const repeated = this.repeatedCommit(sha256);
    if (repeated) return repeated;
    const reply = this.commitRemembered(clientId, sha256);
    this.committing = { clientId, sha256, reply };
    try {
      return await reply;
    } finally {
      this.committing = null;
    }
  }

  private async commitRemembered(clientId: string, sha256: string): Promise<CommitReply> {
    try {
      const reply = await this.commitUpload(clientId, sha256);
      this.lastCommit = { sha256 };
      return reply;
    } catch (error) {
      if (error instanceof AgentRefusal && (error.code === 'digest-mismatch' || error.code === 'install-failed')) this.lastCommit = { sha256, refusal: error };
      throw error;
    }
  }

  private async commitUpload(clientId: string, sha256: string): Promise<CommitReply> {
    const store = this.device.store;
    const upload = this.upload(clientId, sha256);
    const uploads = this.device.uploads;
    if (this.device.trustedKeys && !upload.meta.signedRelease) {
      // Kept from before the device trusted keys: its facts are a client's claims, so it never reaches a slot.
      await uploads.discard(sha256);
      this.release();
      throw new AgentRefusal('signature-required', 'This upload was offered without a verified signature, and this device installs signed releases only; it was discarded. Offer the signed release again.');
    }
    if (!upload.complete) {
      throw new AgentRefusal('nothing-to-commit', `The device has ${upload.offset} of ${upload.meta.size} bytes; send the rest before committing.`, { offset: upload.offset });
    }
    const digest = await uploads.digest(upload);
    if (digest !== sha256) {
      await uploads.discard(sha256);
      this.release();
      throw new AgentRefusal('digest-mismatch', `The received image hashes to ${digest}, not ${sha256}; the upload was discarded. Send it again.`, { actual: digest });
    }
    fsyncFile(upload.dataPath);
    const { meta } = upload;
    let security;
    try {
      const source = meta.signedRelease ? 'signed-manifest' : 'offer';
      security = checkAgainstOffer(this.device, await readImageFacts(upload.dataPath), { securityVersion: meta.offeredSecurityVersion, source });
    } catch (error) {
      // The bytes will never pass with this offer: nothing of them is kept, as after digest-mismatch.
      await uploads.discard(sha256);
      this.release();
      throw error;
    }
    const counterSources = { sequence: meta.counterSources?.sequence ?? 'offer', securityVersion: security.source };
    const image: ImageInfo = { sha256, size: meta.size, version: meta.version, sequence: meta.sequence, securityVersion: security.securityVersion, counterSources };
    if (meta.signedRelease) image.signedRelease = { ...meta.signedRelease };
    await this.install(upload.dataPath, image, () => uploads.discard(sha256));
    const slot = store.installPending(upload.dataPath, image);
    await uploads.discard(sha256);
    this.release();
    this.config.log(`${clientId}: ${meta.version} committed into slot ${slot}, pending its test boot`);
    return { slot, state: 'pending' };
  }

  /** Hands the verified image to the install hook (e.g. a .deb to dpkg); a failing hook refuses the commit. */
  async install(path: string, image: ImageInfo, discard: () => Promise<void>): Promise<void> {
    const hook = this.config.installHook;
    if (!hook) return;
    const result = await runCommand(hook, { FIELDFLASH_IMAGE: path, FIELDFLASH_VERSION: image.version, FIELDFLASH_SHA256: image.sha256, FIELDFLASH_SLOT: this.device.store.inactiveSlot });
    if (result.code !== 0) {
      await discard();
      this.release();
      const reason = describeFailure('the install hook', result);
      this.config.log(`install hook refused ${image.version}: ${reason}`);
      throw new AgentRefusal('install-failed', `The device refused the image: ${reason}.`, { reason }, 422);
    }
  }

  /** DELETE: no partial upload of `sha256` remains and the caller's hold is released; idempotent, so 204 even when none was there. */
  async cancel(clientId: string, sha256: string): Promise<void> {
    if (this.committing?.sha256 === sha256) throw new AgentRefusal('busy', 'The device is committing this image; it can no longer be discarded.');
    this.checkFree(clientId);
    await this.device.uploads.discard(sha256);
    if (this.hold?.clientId === clientId) this.release();
  }
}
