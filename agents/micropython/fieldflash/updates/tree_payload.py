# The source-tree payload (docs/protocol.md §4.8) read in order, as it arrives: one record line at a time into a
# 512-byte buffer, and each file's bytes straight into the staging folder, hashed on the way. Nothing of it is held
# whole in RAM. Every complete record is appended to the records log on flash, which is what makes the payload
# resumable (after a restart the log is replayed up to the last recorded boundary), what commit re-hashes to check
# the payload's own SHA-256, and the list of steps the swap takes (tree_swap.py).
import hashlib

from fieldflash import semver, store
from fieldflash.crypto import hex
from fieldflash.updates.tree_paths import VERSION_FILE, is_local

MAGIC = 'fieldflash-tree 1'
LINE_LIMIT = 512
MAX_PATH = 255
_HEX = '0123456789abcdef'


class Malformed(Exception):
    """The payload breaks its format: sending it again cannot help."""


class NotInRelease(Exception):
    """A file record names a path, size or SHA-256 the signed release does not list: args[0] is the path."""


def check_path(path, what):
    if not path or len(path) > MAX_PATH or path[0] == '/' or '\\' in path or '\x00' in path:
        raise Malformed('%s "%s" is not a relative path with / between folder names' % (what, path[:60]))
    for part in path.split('/'):
        if part in ('', '.', '..'):
            raise Malformed('%s "%s" holds an empty, "." or ".." folder name' % (what, path[:60]))


def _module(name):
    for part in name.split('.'):
        if not part or not (part[0].isalpha() or part[0] == '_') or not all(c.isalpha() or c.isdigit() or c == '_' for c in part):
            return False
    return True


def read_records(log_path):
    """The records log, a line (without its newline) at a time."""
    try:
        f = open(log_path, 'rb')
    except OSError:
        return
    try:
        while True:
            line = f.readline()
            if not line:
                return
            yield line[:-1].decode()
    finally:
        f.close()


class Payload:
    def __init__(self, staging, log_path, device_local, signed=None):
        self.staging = staging
        self.signed = signed  # {path: [sha256, size]} of a signed release's tree: each file record must be one of them
        self.log_path = log_path
        self.local = list(device_local)  # the device's own; the payload's `local` records add the release's
        self.release_local = []
        self.started = False
        self.body = False  # past the header: files and deletes
        self.ended = False
        self.version = None
        self.entry = 'main'
        self.line = bytearray(LINE_LIMIT)
        self.fill = 0
        self.file = None
        self.left = 0
        self.hasher = None
        self.pending = None  # the `file` record whose bytes are arriving
        self.damaged = None  # the first file whose bytes did not hash to its record
        self.offset = 0
        self.log_size = 0
        self.records = 0
        self.boundary = (0, 0, 0)  # (offset, log size, records) after the last complete record

    # --- from the start, or from a recorded boundary -------------------------------------------------------------
    def fresh(self):
        store.remove(self.log_path)
        store.ensure_dir(self.staging)
        return self

    def resume(self, offset, log_size, records):
        """Continues after the record that ended at `offset`: a longer log (written after the boundary was recorded)
        is cut back to it, and its records are replayed to restore what the header said."""
        self._cut_log(log_size)
        for text in read_records(self.log_path):
            if self.records == records:
                break
            self._record(text, True)
        self.offset = offset
        self.boundary = (offset, self.log_size, self.records)
        return self

    def _cut_log(self, size):
        # MicroPython's files cannot be truncated: the prefix is copied under a new name and renamed over the log.
        actual = _size(self.log_path) if store.exists(self.log_path) else 0
        if actual == size:
            return
        if size == 0:
            store.remove(self.log_path)
            return
        tmp = self.log_path + '.tmp'
        buf = bytearray(512)
        with open(self.log_path, 'rb') as src, open(tmp, 'wb') as dst:
            left = size
            while left:
                n = src.readinto(memoryview(buf)[:min(left, len(buf))])
                if not n:
                    break
                dst.write(memoryview(buf)[:n])
                left -= n
        import os
        os.rename(tmp, self.log_path)

    # --- bytes in order --------------------------------------------------------------------------------------------
    def feed(self, mv):
        i = 0
        n = len(mv)
        while i < n:
            if self.file is not None:
                take = min(self.left, n - i)
                piece = mv[i:i + take]
                self.file.write(piece)
                self.hasher.update(piece)
                self.left -= take
                i += take
                self.offset += take
                if self.left == 0:
                    self._file_done()
                continue
            if self.ended:
                raise Malformed('bytes follow the end record')
            b = mv[i]
            i += 1
            self.offset += 1
            if b == 10:
                try:
                    text = bytes(self.line[:self.fill]).decode()
                except UnicodeError:
                    raise Malformed('a record line is not UTF-8 text')
                self.fill = 0
                self._record(text, False)
            elif self.fill >= LINE_LIMIT - 1:
                raise Malformed('a record line is longer than %d bytes' % LINE_LIMIT)
            else:
                self.line[self.fill] = b
                self.fill += 1

    def _record(self, text, replay):
        if not self.started:
            if text != MAGIC:
                raise Malformed('it does not start with "%s"' % MAGIC)
            self.started = True
            return self._logged(text, replay)
        space = text.find(' ')
        word, rest = (text, '') if space < 0 else (text[:space], text[space + 1:])
        if word in ('version', 'entry', 'local'):
            if self.body:
                raise Malformed('the %s record comes after the first file or delete' % word)
            if word == 'version':
                if self.version is not None or semver.parse(rest) is None:
                    raise Malformed('the version record must appear once, with a SemVer version')
                self.version = rest
            elif word == 'entry':
                if not _module(rest):
                    raise Malformed('entry "%s" is not a module name such as main or app.main' % rest[:60])
                self.entry = rest
            else:
                check_path(rest[:-1] if rest.endswith('/') else rest, 'local path')
                self.local.append(rest)
                self.release_local.append(rest)
            return self._logged(text, replay)
        if word == 'end':
            self._to_body()
            self.ended = True
            return self._logged(text, replay)
        if word == 'delete':
            self._to_body()
            self._target(rest)
            return self._logged(text, replay)
        if word != 'file':
            raise Malformed('"%s" is not a record of the format' % word[:20])
        self._to_body()
        fields = rest.split(' ', 2)
        if len(fields) != 3 or len(fields[0]) != 64 or any(c not in _HEX for c in fields[0]) or not fields[1].isdigit() or len(fields[1]) > 12:
            raise Malformed('a file record must read: file <sha256> <size> <path>')
        self._target(fields[2])
        if self.signed is not None:
            # Checked before a byte of the file is written; its bytes are then checked against this record.
            listed = self.signed.get(fields[2])
            if listed is None or listed[0] != fields[0] or listed[1] != int(fields[1]):
                raise NotInRelease(fields[2])
        if replay:
            return self._logged(text, True)
        path = self.staging + '/' + fields[2]
        store.make_parents(self.staging, fields[2])
        self.file = open(path, 'wb')
        self.left = int(fields[1])
        self.hasher = hashlib.sha256()
        self.pending = (text, fields[0], fields[2])
        if self.left == 0:
            self._file_done()

    def _to_body(self):
        if self.version is None:
            raise Malformed('the version record must come before files, deletes and the end')
        if self.ended:
            raise Malformed('records follow the end record')
        self.body = True

    def _target(self, path):
        check_path(path, 'path')
        if path == VERSION_FILE:
            raise Malformed('the payload names %s, which the device writes itself' % VERSION_FILE)
        if is_local(path, self.local):
            raise Malformed('the payload names %s, a device-local file an update never writes or removes' % path)

    def _file_done(self):
        self.file.close()
        self.file = None
        text, expected, path = self.pending
        self.pending = None
        if hex(self.hasher.digest()) != expected and self.damaged is None:
            self.damaged = path
        self.hasher = None
        self._logged(text, False)

    def _logged(self, text, replay):
        data = (text + '\n').encode()
        if not replay:
            with open(self.log_path, 'ab') as f:
                f.write(data)
        self.log_size += len(data)
        self.records += 1
        if not replay:
            self.boundary = (self.offset, self.log_size, self.records)

    def close(self):
        if self.file is not None:
            self.file.close()
            self.file = None


def _size(path):
    import os
    return os.stat(path)[6]


def payload_digest(staging, log_path, buf):
    """(SHA-256 of the payload rebuilt from the records log and the staged files, first staged file whose bytes
    differ from its record or None): commit's check that what is staged is exactly what was offered."""
    whole = hashlib.sha256()
    mv = memoryview(buf)
    damaged = None
    for text in read_records(log_path):
        whole.update(text.encode())
        whole.update(b'\n')
        if not text.startswith('file '):
            continue
        expected, size, path = text[5:].split(' ', 2)
        one = hashlib.sha256()
        left = int(size)
        try:
            with open(staging + '/' + path, 'rb') as f:
                while left:
                    n = f.readinto(mv[:min(left, len(buf))])
                    if not n:
                        break
                    whole.update(mv[:n])
                    one.update(mv[:n])
                    left -= n
        except OSError:
            left = -1
        if (left or hex(one.digest()) != expected) and damaged is None:
            damaged = path
    return hex(whole.digest()), damaged
