# A source tree's part of an update session (docs/protocol.md §4.8), mixed into sessions.py's Sessions: the payload
# arrives one chunk at a time and is parsed into the staging folder (source_tree.py); a malformed payload is dropped
# whole; commit checks what is staged against the payload's SHA-256 and leaves the tree staged for the next boot.
from fieldflash.errors import Refusal
from fieldflash.offer import check_security


class TreeSessions:
    def _prepare_staging(self, upload):
        # A new payload begins: a staged tree is replaced from this moment (its plan is the records log about to
        # be started again), and whatever an earlier payload left in the staging folder goes.
        if upload.payload is None and upload.contiguous == 0:
            self.device.journal.drop_staged_tree()
            self.device.tree.discard()
        return self.device.tree

    async def _tree_chunk(self, client_id, upload, offset, claimed, body):
        from fieldflash.updates.source_tree import CHUNK
        if offset < upload.contiguous or offset >= upload.contiguous + CHUNK or offset >= upload.size:
            raise Refusal('offset-mismatch', 'The device expects the source tree from offset %d, one chunk at a time; this chunk starts at %d.' % (upload.contiguous, offset),
                          {'offset': upload.contiguous})
        if offset + body.length > upload.size:
            raise Refusal('bad-request', 'A chunk of %d bytes at %d runs past the end of the payload (%d bytes).' % (body.length, offset, upload.size), {'offset': upload.contiguous})
        tree = self._prepare_staging(upload)
        buf = self.device.buffers.take()
        try:
            await self._fed(upload, tree.chunk(upload, offset, claimed, body, buf))
        finally:
            self.device.buffers.give(buf)
        self.device.uploads.record()
        self.take(client_id, upload.sha256)
        return {'offset': upload.contiguous, 'size': upload.size}

    async def _fed(self, upload, receiving):
        try:
            await receiving
        except Refusal as refusal:
            if refusal.code in ('bad-request', 'not-in-release'):  # a malformed or unsigned payload: nothing of it can be used
                self.device.tree.discard(upload)
                self.device.uploads.discard()
                self.release()
            raise

    def _commit_tree(self, client_id, upload):
        device = self.device
        tree = device.tree
        meta = upload.meta
        buf = device.buffers.take()
        try:
            facts = tree.check_staged(upload, upload.sha256, buf)
            signed = tree.signed_tree(upload)
            if signed is not None:
                from fieldflash.updates.tree_release import check_whole
                check_whole(tree, signed, upload.payload, meta['version'], buf)
            security = meta.get('offeredSecurityVersion') or 0
            check_security(device.journal.security_version, security)
        except Refusal:
            tree.discard(upload)
            device.uploads.discard()
            self.release()
            raise
        finally:
            device.buffers.give(buf)
        record = {'sha256': upload.sha256, 'size': upload.size, 'version': meta['version'], 'sequence': meta['sequence'], 'securityVersion': security,
                  'counterSources': {'sequence': meta.get('sequenceSource', 'offer'), 'securityVersion': 'signed-manifest' if meta.get('signed') else 'offer'},
                  'entry': facts['entry'], 'deviceLocal': facts['deviceLocal']}
        if meta.get('signed'):
            record['signedBy'] = meta['signed']['keyId']
        # A firmware image waiting for its test boot is replaced: the board boots the running one again.
        dropped = device.journal.pending_slot()
        if dropped is not None:
            device.slots.keep_running()
        device.journal.record_tree_staged(record, dropped)
        upload.payload = None
        device.uploads.discard()
        self.release()
        device.log('%s: source tree %s committed, pending its test boot' % (client_id, meta['version']))
        return {'slot': 'tree', 'state': 'pending'}
