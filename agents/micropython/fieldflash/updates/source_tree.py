# Source-tree releases (docs/protocol.md §4.8): the application as a tree of .py files in `tree_dir` (/app), updated
# with a payload of the files that changed. The payload streams into the staging folder (/app.new) as it arrives,
# each file checked against its SHA-256; commit checks the whole payload's SHA-256 and leaves the tree staged; the
# next boot swaps it in (tree_swap.py) and starts its test boot (tree_boot.py). Device-local files (env.py) and
# `.version` are never sent, written or removed by an update; the device writes `.version` itself.
import hashlib
import json
import os

from fieldflash import store
from fieldflash.crypto import hex
from fieldflash.errors import Refusal, bad_request
from fieldflash.updates.tree_paths import VERSION_FILE, is_local

KIND = 'source-tree'
SLOT = 'tree'
# A tree payload is parsed in order, so a chunk is checked against its digest before a byte of it is parsed:
# small chunks, one at a time, each read whole into one of the agent's 4 KiB flash-block buffers.
CHUNK = 4096
WINDOW = 1
LOG_FILE = 'tree-records.txt'
# The tree a signed release builds (release.py): each file's path, SHA-256 and size, kept for the upload's whole life.
SIGNED_FILE = 'release-tree.json'


class SourceTree:
    kind = KIND

    def __init__(self, config):
        root = config.tree_dir.rstrip('/')
        self.root = root
        self.staging = root + '.new'
        self.backup = root + '.old'
        self.log_path = config.state_dir + '/' + LOG_FILE
        self.signed_path = config.state_dir + '/' + SIGNED_FILE
        self.device_local = list(config.device_local)

    # The payload's parser and the swap are loaded when an update needs them, not kept in the heap at every boot.
    def swap(self):
        from fieldflash.updates.tree_swap import Swap
        return Swap(self.root, self.staging, self.backup, self.log_path)

    def leftovers(self):
        """Whether a staging area, a backup or a records log is on the filesystem."""
        return store.exists(self.staging) or store.exists(self.backup) or store.exists(self.log_path)

    def capacity(self):
        """Bytes the filesystem has free for staging a payload."""
        try:
            st = os.statvfs(self.root if store.exists(self.root) else '/')
            return st[0] * st[4]
        except OSError:
            return 0

    def local(self, record):
        return self.device_local + ((record or {}).get('deviceLocal') or [])

    def has_entry(self, entry):
        base = self.root + '/' + entry.replace('.', '/')
        return store.exists(base + '.py') or store.exists(base + '.mpy')

    def version(self):
        try:
            with open(self.root + '/' + VERSION_FILE) as f:
                return f.readline().strip()[:64] or None
        except OSError:
            return None

    # --- the running tree's files (GET /tree) ------------------------------------------------------------------------
    def files(self, local, at=''):
        """(path, size) of every file of the running tree, device-local files and `.version` left out."""
        folder = self.root + ('/' + at if at else '')
        try:
            entries = os.ilistdir(folder)
        except OSError:
            return
        for entry in entries:
            path = at + '/' + entry[0] if at else entry[0]
            if path == VERSION_FILE or is_local(path, local) or is_local(path + '/', local):
                continue
            if entry[1] & 0x4000:
                yield from self.files(local, path)
            else:
                yield path, (entry[3] if len(entry) > 3 else os.stat(self.root + '/' + path)[6])

    def file_digest(self, path, buf):
        h = hashlib.sha256()
        mv = memoryview(buf)
        with open(self.root + '/' + path, 'rb') as f:
            while True:
                n = f.readinto(buf)
                if not n:
                    break
                h.update(mv[:n])
        return hex(h.digest())

    # --- receiving a payload -------------------------------------------------------------------------------------------
    def keep_signed_tree(self, tree):
        store.write_json(self.signed_path, tree)

    def signed_tree(self, upload):
        """The tree the upload's signed release builds, or None for an unsigned upload."""
        if not upload.meta.get('signed'):
            return None
        tree = store.read_json(self.signed_path)
        if tree is None:
            raise Refusal('unknown-session', 'The device lost the signed release of this upload. Offer the update again.')
        return tree

    def payload(self, upload):
        """The payload's parser for an upload: fresh at offset 0, else resumed from its recorded boundary."""
        if upload.payload is None:
            from fieldflash.updates.tree_payload import Payload
            signed = self.signed_tree(upload)
            p = Payload(self.staging, self.log_path, self.device_local, signed['files'] if signed else None)
            extra = upload.tree
            if upload.contiguous == 0:
                p.fresh()
            else:
                p.resume(upload.contiguous, extra.get('log', 0), extra.get('records', 0))
            upload.payload = p
        return upload.payload

    def feed(self, upload, mv):
        from fieldflash.updates.tree_payload import Malformed, NotInRelease
        try:
            self.payload(upload).feed(mv)
        except Malformed as error:
            raise bad_request('The source-tree payload is malformed near byte %d: %s. Nothing of it was kept; build it again.' % (upload.payload.offset, error))
        except NotInRelease as error:
            path = error.args[0]
            raise Refusal('not-in-release', 'The payload\'s file %s is not the one the signed release lists (by path, size and SHA-256); nothing of the payload was kept and the running tree is unchanged. Send the release as it was signed.' % path,
                          {'path': path})
        upload.contiguous += len(mv)

    async def chunk(self, upload, offset, claimed, body, buf):
        length = body.length
        if length > CHUNK:
            raise Refusal('too-large', 'A chunk of a source tree may hold at most %d bytes; this one has %d.' % (CHUNK, length), {'chunkSize': CHUNK})
        mv = memoryview(buf)[:length]
        at = 0
        while at < length:
            n = await body.readinto(mv[at:])
            if not n:
                raise EOFError('the connection closed in the middle of a chunk')
            at += n
        if hashlib.sha256(mv).digest() != claimed:
            raise Refusal('chunk-corrupt', 'The chunk at %d arrived damaged (its SHA-256 does not match Content-Digest); nothing of it was kept. Send it again.' % offset,
                          {'offset': upload.contiguous})
        if offset == upload.contiguous:
            self.feed(upload, mv)
        # A chunk that starts past the offset is acknowledged with the offset and not kept (the payload is parsed in order).

    async def stream(self, upload, body, buf, advanced):
        mv = memoryview(buf)
        while body.remaining:
            n = await body.readinto(mv)
            if not n:
                raise EOFError('the connection closed in the middle of the payload')
            self.feed(upload, mv[:n])
            advanced(upload.contiguous)

    # --- commit ------------------------------------------------------------------------------------------------------
    def check_staged(self, upload, sha256, buf):
        """At commit: the payload ended where it should, and what is staged hashes to it. Returns the staged record's facts."""
        from fieldflash.updates.tree_payload import payload_digest
        payload = self.payload(upload)
        if not payload.ended:
            raise bad_request('The source-tree payload has every byte but no end record; nothing of it was kept. Build it again.')
        actual, damaged = payload_digest(self.staging, self.log_path, buf)
        if damaged is not None:
            raise Refusal('digest-mismatch', 'The file %s in the payload does not hash to the SHA-256 its record gives; the upload was discarded. Send it again.' % damaged,
                          {'actual': actual})
        if actual != sha256:
            raise Refusal('digest-mismatch', 'The received payload hashes to %s, not %s; the upload was discarded. Send it again.' % (actual, sha256), {'actual': actual})
        with open(self.staging + '/' + VERSION_FILE, 'w') as f:
            f.write(payload.version + '\n')
        return {'entry': payload.entry, 'deviceLocal': payload.release_local}

    def discard(self, upload=None):
        """Drops the staging area (and an upload's parser state)."""
        if upload is not None and upload.payload is not None:
            upload.payload.close()
            upload.payload = None
        self.swap().discard()


class Listing:
    """The reply to GET /tree, written as it is read: each file hashed and sent in turn (chunked), never the whole list in RAM."""

    def __init__(self, tree, local, buffers):
        self.tree = tree
        self.local = local
        self.buffers = buffers

    async def stream(self, send):
        tree = self.tree
        version = tree.version()
        head = '{"root":%s,' % json.dumps(tree.root)
        if version:
            head += '"version":%s,' % json.dumps(version)
        await send(head + '"files":[')
        buf = self.buffers.take()
        try:
            first = True
            for path, size in tree.files(self.local):
                item = '{"path":%s,"size":%d,"sha256":"%s"}' % (json.dumps(path), size, tree.file_digest(path, buf))
                await send(item if first else ',' + item)
                first = False
        finally:
            self.buffers.give(buf)
        await send(']}')
