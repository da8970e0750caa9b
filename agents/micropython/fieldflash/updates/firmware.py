# Firmware images through MicroPython's OTA API: the two app partitions are slots a and b. Bytes go straight from
# the socket into the next update partition in 4 KiB flash blocks, so an image is never held in RAM; commit is
# set_boot() (ESP-IDF's esp_ota_set_boot_partition), and a confirmed test boot calls
# Partition.mark_app_valid_cancel_rollback().
import hashlib

from esp32 import Partition

from fieldflash.crypto import hex

BLOCK = 4096
SLOT_NAMES = ('a', 'b')


def _apps():
    found = Partition.find(Partition.TYPE_APP)
    # An OTA layout has ota_0 and ota_1 (and maybe a factory app, which an update never writes).
    apps = [p for p in found if p.info()[4].startswith('ota_')]
    apps.sort(key=lambda p: p.info()[2])
    if len(apps) < 2:
        raise OSError('this board has no two OTA app partitions; flash a MicroPython build with an OTA partition table')
    return apps[:2]


def _flush(partition, index, mv, start, end):
    # The parts of the block this write does not cover are read back first, with no await in between, so two
    # chunks that share a block never undo each other's bytes.
    if start > 0:
        partition.readblocks(index, mv[0:start], 0)
    if end < BLOCK:
        partition.readblocks(index, mv[end:BLOCK], end)
    partition.writeblocks(index, mv)


class FirmwareSlots:
    kind = 'firmware'

    def __init__(self):
        self.partitions = _apps()

    def _slot_of(self, partition):
        address = partition.info()[2]
        for name, p in zip(SLOT_NAMES, self.partitions):
            if p.info()[2] == address:
                return name
        raise OSError('the running app partition is not an OTA slot')

    def partition(self, slot):
        return self.partitions[SLOT_NAMES.index(slot)]

    def running_slot(self):
        return self._slot_of(Partition(Partition.RUNNING))

    def inactive_slot(self):
        return 'b' if self.running_slot() == 'a' else 'a'

    def capacity(self):
        return self.partition(self.inactive_slot()).info()[3]

    async def receive(self, slot, body, offset, length, buf, hasher=None, advanced=None):
        """Writes `length` bytes read from `body` at `offset` of the slot; `advanced(position)` after each block."""
        partition = self.partition(slot)
        mv = memoryview(buf)
        position = offset
        end = offset + length
        while position < end:
            index = position // BLOCK
            start = position - index * BLOCK
            stop = min(BLOCK, start + (end - position))
            at = start
            while at < stop:
                n = await body.readinto(mv[at:stop])
                if not n:
                    raise EOFError('the connection closed after %d of %d bytes' % (index * BLOCK + at - offset, length))
                if hasher is not None:
                    hasher.update(mv[at:at + n])
                at += n
            _flush(partition, index, mv, start, stop)
            position = index * BLOCK + stop
            if advanced is not None:
                advanced(position)

    def digest(self, slot, size, buf):
        """The SHA-256 (hex) of the first `size` bytes of a slot."""
        partition = self.partition(slot)
        mv = memoryview(buf)
        h = hashlib.sha256()
        index = 0
        left = size
        while left > 0:
            n = min(BLOCK, left)
            partition.readblocks(index, mv[:n])
            h.update(mv[:n])
            left -= n
            index += 1
        return hex(h.digest())

    def image_size(self, slot, buf):
        """The length of the ESP app image in a slot (header, segments, checksum, appended hash), or None."""
        partition = self.partition(slot)
        mv = memoryview(buf)
        partition.readblocks(0, mv[:24])
        if buf[0] != 0xE9:
            return None
        segments, hashed = buf[1], buf[23] == 1
        at = 24
        limit = partition.info()[3]
        for _ in range(segments):
            partition.readblocks(at // BLOCK, mv[:8], at % BLOCK)
            at += 8 + int.from_bytes(bytes(mv[4:8]), 'little')
            if at > limit:
                return None
        at = (at + 16) & ~15  # the checksum byte ends the image, padded to 16 bytes
        return at + (32 if hashed else 0)

    def install(self, slot):
        """The slot boots next: any restart from now on is its test boot (docs/protocol.md §5)."""
        self.partition(slot).set_boot()

    def keep_running(self):
        """Boots the running image again, e.g. before an upload overwrites a pending image."""
        Partition(Partition.RUNNING).set_boot()

    def boot(self, slot):
        self.partition(slot).set_boot()

    def confirm(self):
        Partition.mark_app_valid_cancel_rollback()
