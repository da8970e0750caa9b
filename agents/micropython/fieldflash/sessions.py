# Update sessions, keyed by the image's SHA-256 (docs/protocol.md §4-§5): the hold on the device, the offer, chunks
# and a single-request stream written straight into the inactive slot (or, for a source tree, parsed into the staging
# folder: updates/source_tree.py), and commit. A session is the stored partial upload: it outlives holds and restarts.
# Commit runs without awaiting, so concurrent commits of one image get the same answer in turn. One image waits for
# its test boot at a time: committing an image or a tree replaces whichever was pending.
import hashlib

from fieldflash import clock, offer as offers
from fieldflash.errors import Refusal
from fieldflash.updates.tree_sessions import TreeSessions


def _busy(holder, config):
    return Refusal('busy', 'Another client (%s) is updating this device. Wait until it finishes, or until its session lapses after %d s without data.' % (holder, config.hold_idle_s))


class Sessions(TreeSessions):
    def __init__(self, device):
        self.device = device
        self.hold = None  # [client id, sha256, started, last activity]
        self.cooldown = None  # [client id, until]
        self.last_commit = None  # (sha256, refusal or None)

    @property
    def config(self):
        return self.device.config

    # --- the hold (§4.5) ---------------------------------------------------
    def holder(self):
        hold = self.hold
        if hold is None:
            return None
        idle = clock.since_ms(hold[3]) >= self.config.hold_idle_s * 1000
        if idle or clock.since_ms(hold[2]) >= self.config.hold_total_s * 1000:
            self.device.log('update session of %s lapsed; its partial upload is kept' % hold[0])
            if not idle:
                self.cooldown = [hold[0], clock.after(self.config.hold_idle_s * 1000)]
            self.hold = None
        return self.hold

    def check_free(self, client_id):
        hold = self.holder()
        if hold is not None and hold[0] != client_id:
            raise _busy(hold[0], self.config)
        return hold

    def take(self, client_id, sha256):
        hold = self.check_free(client_id)
        if hold is None and self.cooldown is not None and self.cooldown[0] == client_id and not clock.passed(self.cooldown[1]):
            wait = (clock.left_ms(self.cooldown[1]) + 999) // 1000
            raise Refusal('timeout', 'This update session ran longer than the device allows and lost its hold so others can update. Offer again in %d s.' % wait)
        if hold is not None and hold[1] == sha256:
            hold[3] = clock.now()
        else:
            now = clock.now()
            self.hold = [client_id, sha256, now, now]

    def release(self):
        self.hold = None

    def check_not_rebooting(self):
        if self.device.boot.busy:
            raise Refusal('busy', 'The device is rebooting or deciding on a test boot. Wait until the device document shows the verdict, then try again.')

    # --- sessions ----------------------------------------------------------
    def _session(self, sha256, size, offset, kind='firmware'):
        if kind == 'source-tree':
            from fieldflash.updates.source_tree import CHUNK, SLOT, WINDOW
            slot, chunk, window = SLOT, CHUNK, WINDOW
        else:
            slot, chunk, window = self.device.slots.inactive_slot(), self.config.chunk_size, self.config.window
        return {'sha256': sha256, 'size': size, 'slot': slot, 'offset': offset, 'chunkSize': chunk, 'window': window,
                'state': 'complete' if offset >= size else 'receiving'}

    def _committed(self, sha256):
        """The record of an image or tree committed and waiting for its test boot, with its kind."""
        journal = self.device.journal
        slot = journal.pending_slot()
        record = journal.slot(slot) if slot else None
        if record is not None and record['sha256'] == sha256:
            return record
        staged = journal.tree['staged'] if self.device.tree is not None else None
        return dict(staged, kind='source-tree') if staged is not None and staged['sha256'] == sha256 else None

    def offer(self, client_id, offer):
        hold = self.holder()
        if hold is not None and hold[0] != client_id:
            self.take(client_id, offer['sha256'])
        target = offers.check(self.device, offer)
        self.take(client_id, target['sha256'])
        done = self._committed(target['sha256'])
        if done is not None:
            return self._session(done['sha256'], done['size'], done['size'], done.get('kind', 'firmware'))
        uploads = self.device.uploads
        upload = uploads.get(target['sha256'])
        signed = offer['signed']
        if upload is not None and (upload.size != target['size'] or upload.kind != offer['kind'] or upload.meta.get('signed') != signed):
            # Another release's upload of the same bytes (or one begun before the board trusted keys): it starts afresh,
            # so what the session keeps is what this offer's signature vouched for.
            if upload.kind == 'source-tree':
                self.device.tree.discard(upload)
            upload = None
        if upload is None:
            active = self.device.journal.current_image
            meta = {'sha256': target['sha256'], 'size': target['size'], 'version': offer['version'], 'kind': offer['kind'],
                    'sequence': offer['sequence'] if offer['sequence'] is not None else active['sequence'],
                    'securityVersion': offer['securityVersion'] or 0, 'offeredSecurityVersion': offer['securityVersion'],
                    'sequenceSource': 'offer' if offer['sequence'] is not None else self.device.counter_sources()['sequence']}
            if signed is not None:
                meta['signed'] = signed
                meta['sequenceSource'] = 'signed-manifest'
            if offer['tree'] is not None:
                self.device.tree.keep_signed_tree(offer['tree'])
            upload = uploads.create(meta)
        self.device.log('%s: update to %s (%s...), %d bytes, continuing at %d' % (client_id, offer['version'], target['sha256'][:12], target['size'], upload.contiguous))
        return self._session(target['sha256'], target['size'], upload.contiguous, upload.kind)

    def _upload(self, client_id, sha256):
        self.check_free(client_id)
        upload = self.device.uploads.get(sha256)
        if upload is None:
            raise Refusal('unknown-session', 'The device has no update session for this image. Offer the update again.')
        self.take(client_id, sha256)
        return upload

    def status(self, client_id, sha256):
        done = self._committed(sha256)
        if done is not None:
            return self._session(sha256, done['size'], done['size'], done.get('kind', 'firmware'))
        upload = self._upload(client_id, sha256)
        return self._session(sha256, upload.size, upload.contiguous, upload.kind)

    def _prepare_slot(self):
        # The inactive slot is about to change: a pending or confirmed image there is gone from this moment, so
        # the journal forgets it first and the board boots the running image again.
        journal = self.device.journal
        slot = self.device.slots.inactive_slot()
        if journal.slot(slot)['state'] != 'empty':
            if journal.slot(slot)['state'] == 'pending':
                self.device.slots.keep_running()
            journal.forget(slot, 'replaced before its test boot: another upload began writing slot %s' % slot)
        return slot

    async def chunk(self, client_id, sha256, offset, claimed, body):
        config = self.config
        upload = self._upload(client_id, sha256)
        length = body.length
        if upload.kind == 'source-tree':
            return await self._tree_chunk(client_id, upload, offset, claimed, body)
        if offset < upload.contiguous or offset >= upload.contiguous + config.window * config.chunk_size or offset >= upload.size:
            raise Refusal('offset-mismatch', 'The device expects chunks from offset %d (window %d x %d bytes); this one starts at %d.' % (upload.contiguous, config.window, config.chunk_size, offset),
                          {'offset': upload.contiguous})
        if offset + length > upload.size:
            raise Refusal('bad-request', 'A chunk of %d bytes at %d runs past the end of the image (%d bytes).' % (length, offset, upload.size), {'offset': upload.contiguous})
        slot = self._prepare_slot()
        hasher = hashlib.sha256()
        buf = self.device.buffers.take()
        try:
            await self.device.slots.receive(slot, body, offset, length, buf, hasher)
        finally:
            self.device.buffers.give(buf)
        if hasher.digest() != claimed:
            upload.damaged(offset, offset + length)
            raise Refusal('chunk-corrupt', 'The chunk at %d arrived damaged (its SHA-256 does not match Content-Digest); nothing of it was kept. Send it again.' % offset,
                          {'offset': upload.contiguous})
        contiguous = upload.written(offset, offset + length)
        self.device.uploads.record()
        self.take(client_id, sha256)
        return {'offset': contiguous, 'size': upload.size}

    async def stream(self, client_id, sha256, offset, body):
        """The rest of the image in one request without Content-Digest (§4.6): the digest at commit guards it."""
        upload = self._upload(client_id, sha256)
        if offset != upload.contiguous:
            raise Refusal('offset-mismatch', 'A streamed upload must start where the device is, at %d; this one starts at %d.' % (upload.contiguous, offset), {'offset': upload.contiguous})
        if offset + body.length > upload.size:
            raise Refusal('bad-request', "The upload runs past the image's %d bytes." % upload.size, {'offset': upload.contiguous})
        uploads = self.device.uploads
        tree = self._prepare_staging(upload) if upload.kind == 'source-tree' else None
        slot = None if tree is not None else self._prepare_slot()

        def advanced(position):
            if tree is None:
                upload.written(upload.contiguous, position)
            uploads.record()
            self.take(client_id, sha256)

        buf = self.device.buffers.take()
        try:
            if tree is not None:
                await self._fed(upload, tree.stream(upload, body, buf, advanced))
            else:
                await self.device.slots.receive(slot, body, offset, body.length, buf, None, advanced)
        finally:
            self.device.buffers.give(buf)
            uploads.record(True)
        self.take(client_id, sha256)
        return {'offset': upload.contiguous, 'size': upload.size}

    # --- commit (§5) -------------------------------------------------------
    def commit(self, client_id, sha256):
        done = self._committed(sha256)
        if done is not None:
            return {'slot': self.device.journal.pending_slot() or 'tree', 'state': 'pending'}
        if self.device.uploads.get(sha256) is None and self.last_commit is not None and self.last_commit[0] == sha256 and self.last_commit[1]:
            raise self.last_commit[1]
        try:
            reply = self._commit(client_id, sha256)
            self.last_commit = (sha256, None)
            return reply
        except Refusal as refusal:
            if refusal.code in ('digest-mismatch', 'install-failed', 'image-mismatch', 'security-version-too-low'):
                self.last_commit = (sha256, refusal)
            raise

    def _commit(self, client_id, sha256):
        device = self.device
        upload = self._upload(client_id, sha256)
        if not upload.complete:
            raise Refusal('nothing-to-commit', 'The device has %d of %d bytes; send the rest before committing.' % (upload.contiguous, upload.size), {'offset': upload.contiguous})
        if upload.kind == 'source-tree':
            return self._commit_tree(client_id, upload)
        slot = device.slots.inactive_slot()
        buf = device.buffers.take()
        try:
            actual = device.slots.digest(slot, upload.size, buf)
            device.slots.partition(slot).readblocks(0, buf)
            facts = offers.image_facts(bytes(buf[:256]))
        finally:
            device.buffers.give(buf)
        meta = upload.meta
        try:
            if actual != sha256:
                raise Refusal('digest-mismatch', 'The received image hashes to %s, not %s; the upload was discarded. Send it again.' % (actual, sha256), {'actual': actual})
            signed = meta.get('signed')
            security, source = offers.check_image(device, facts, meta.get('offeredSecurityVersion'), 'signed-manifest' if signed else 'offer')
            image = {'sha256': sha256, 'size': upload.size, 'version': meta['version'], 'sequence': meta['sequence'], 'securityVersion': security,
                     'counterSources': {'sequence': meta.get('sequenceSource', 'offer'), 'securityVersion': source}}
            if signed:
                image['signedBy'] = signed['keyId']
            try:
                device.slots.install(slot)
            except OSError as error:
                reason = 'the bootloader refused the image (%s)' % error
                raise Refusal('install-failed', 'The device refused the image: %s.' % reason, {'reason': reason})
        except Refusal:
            device.uploads.discard()
            self.release()
            raise
        staged_tree = device.tree is not None and device.journal.tree['staged'] is not None
        device.journal.record_pending(slot, image)
        if staged_tree:
            device.tree.discard()
        device.uploads.discard()
        self.release()
        device.log('%s: %s committed into slot %s, pending its test boot' % (client_id, meta['version'], slot))
        return {'slot': slot, 'state': 'pending'}

    def cancel(self, client_id, sha256):
        """DELETE: no partial upload of the image remains and the caller's hold is released; 204 either way."""
        self.check_free(client_id)
        upload = self.device.uploads.get(sha256)
        if upload is not None:
            if upload.kind == 'source-tree' and (upload.payload is not None or upload.tree.get('prepared')):
                self.device.tree.discard(upload)
            self.device.uploads.discard()
        if self.hold is not None and self.hold[0] == client_id:
            self.release()
