# The partial upload: one image at a time, described by upload.json (what the image claims and the offset whose
# bytes are surely on flash). A firmware image is written straight into the inactive slot; chunks may arrive out of
# order within the window, and ranges beyond a gap wait in RAM until the gap closes. After a restart only the
# recorded offset counts, rounded down to a flash block, since rewriting a block erases it first (docs/protocol.md
# §4.3 allows a lower offset). A source-tree payload is parsed in order into the staging folder; its recorded offset
# is the end of its last complete record, with the records log's length at that point (updates/tree_payload.py).
from fieldflash import store
from fieldflash.updates.firmware import BLOCK

FILE = 'upload.json'
# Progress is recorded at least every 64 KiB, and 200 ms after the last write (agent.py's flusher).
RECORD_EVERY = 65536


class Upload:
    def __init__(self, meta, offset, tree=None):
        self.meta = meta
        self.contiguous = offset
        self.recorded = offset
        self.ahead = []  # [start, end) ranges written past a gap
        # For a source tree: {'log', 'records', 'prepared'} as recorded; the parser itself lives in RAM.
        self.tree = tree if tree is not None else {}
        self.payload = None

    @property
    def sha256(self):
        return self.meta['sha256']

    @property
    def size(self):
        return self.meta['size']

    @property
    def kind(self):
        return self.meta.get('kind', 'firmware')

    @property
    def complete(self):
        return self.contiguous >= self.size

    def written(self, start, end):
        """Counts bytes now in flash; returns the contiguous offset."""
        self.ahead.append([start, end])
        moved = True
        while moved:
            moved = False
            for r in self.ahead:
                if r[0] <= self.contiguous < r[1]:
                    self.contiguous = r[1]
                    moved = True
        self.ahead = [r for r in self.ahead if r[1] > self.contiguous]
        return self.contiguous

    def damaged(self, start, end):
        """A chunk that failed its digest was written over [start, end): ranges it touched no longer count."""
        self.ahead = [r for r in self.ahead if r[1] <= start or r[0] >= end]

    def durable(self):
        """(offset, extra fields) of what a restart can resume from."""
        if self.kind != 'source-tree':
            return self.contiguous, None
        if self.payload is None:
            return self.recorded, self.tree
        offset, log, records = self.payload.boundary
        return offset, {'log': log, 'records': records, 'prepared': True}


class UploadStore:
    def __init__(self, state_dir):
        self.path = state_dir + '/' + FILE
        self.current = None
        record = store.read_json(self.path)
        if record is not None:
            offset = min(record.get('offset', 0), record['size'])
            meta = record['meta'] if 'meta' in record else record
            if meta.get('kind') == 'source-tree':
                self.current = Upload(meta, offset, record.get('tree') or {})
            else:
                self.current = Upload(meta, offset - offset % BLOCK)

    def get(self, sha256):
        return self.current if self.current is not None and self.current.sha256 == sha256 else None

    def create(self, meta):
        self.current = Upload(meta, 0)
        self._write(self.current, 0, None)
        return self.current

    def _write(self, upload, offset, tree):
        record = {'meta': upload.meta, 'size': upload.size, 'offset': offset}
        if tree is not None:
            record['tree'] = tree
        store.write_json(self.path, record)
        upload.recorded = offset

    def record(self, force=False):
        upload = self.current
        if upload is None:
            return
        offset, tree = upload.durable()
        if offset == upload.recorded and (tree is None or tree == upload.tree):
            return
        if force or offset - upload.recorded >= RECORD_EVERY:
            self._write(upload, offset, tree)
            if tree is not None:
                upload.tree = tree

    def discard(self):
        self.current = None
        store.remove(self.path)
