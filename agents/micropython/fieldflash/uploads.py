# The partial upload: one image at a time, written straight into the inactive slot, described by upload.json (what
# the image claims and the offset whose bytes are surely in flash). Chunks may arrive out of order within the
# window: ranges beyond a gap wait in RAM until the gap closes. After a restart only the recorded offset counts,
# rounded down to a flash block, since rewriting a block erases it first (docs/protocol.md §4.3 allows a lower offset).
from fieldflash import store
from fieldflash.updates.firmware import BLOCK

FILE = 'upload.json'
# Progress is recorded at least every 64 KiB, and 200 ms after the last write (agent.py's flusher).
RECORD_EVERY = 65536


class Upload:
    def __init__(self, meta, offset):
        self.meta = meta
        self.contiguous = offset
        self.recorded = offset
        self.ahead = []  # [start, end) ranges written past a gap

    @property
    def sha256(self):
        return self.meta['sha256']

    @property
    def size(self):
        return self.meta['size']

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


class UploadStore:
    def __init__(self, state_dir):
        self.path = state_dir + '/' + FILE
        self.current = None
        record = store.read_json(self.path)
        if record is not None:
            offset = min(record.get('offset', 0), record['size'])
            self.current = Upload(record['meta'] if 'meta' in record else record, offset - offset % BLOCK)

    def get(self, sha256):
        return self.current if self.current is not None and self.current.sha256 == sha256 else None

    def create(self, meta):
        self.current = Upload(meta, 0)
        store.write_json(self.path, {'meta': meta, 'size': meta['size'], 'offset': 0})
        return self.current

    def record(self, force=False):
        upload = self.current
        if upload is None or upload.contiguous == upload.recorded:
            return
        if force or upload.contiguous - upload.recorded >= RECORD_EVERY:
            store.write_json(self.path, {'meta': upload.meta, 'size': upload.size, 'offset': upload.contiguous})
            upload.recorded = upload.contiguous

    def discard(self):
        self.current = None
        store.remove(self.path)
