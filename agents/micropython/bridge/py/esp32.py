# Stand-in for MicroPython's esp32 module on the Node bridge: the OTA app partitions are files in the device
# directory (DIR/partitions/ota_0.bin, ota_1.bin), read and written through the bridge; otadata and the
# bootloader's rollback are the bridge's (partitions.ts). The API is the real one, as far as the agent uses it.
import json

import ffboard
import uctypes

_board = json.load(open('/board.json'))
_parts = _board['partitions']


def _check(n):
    if n < 0:
        raise OSError(5)  # EIO: the board lost power
    return n


class Partition:
    BOOT = 0
    RUNNING = 1
    TYPE_APP = 0
    TYPE_DATA = 1

    def __init__(self, id):
        if id == Partition.RUNNING:
            self.index = _board['running']
        elif id == Partition.BOOT:
            self.index = _check(ffboard.boot_index())
        else:
            found = [i for i, p in enumerate(_parts) if p['label'] == id]
            if not found:
                raise ValueError('no partition labelled %s' % id)
            self.index = found[0]

    @classmethod
    def find(cls, type=0, subtype=0xFF, label=None, block_size=4096):
        return [Partition(p['label']) for p in _parts if type == Partition.TYPE_APP and (label is None or p['label'] == label)]

    def info(self):
        p = _parts[self.index]
        return (Partition.TYPE_APP, 0x10 + self.index, p['address'], p['size'], p['label'], False)

    def readblocks(self, block_num, buf, offset=0):
        _check(ffboard.part_read(self.index, block_num * 4096 + offset, uctypes.addressof(buf), len(buf)))

    def writeblocks(self, block_num, buf, offset=0):
        _check(ffboard.part_write(self.index, block_num * 4096 + offset, uctypes.addressof(buf), len(buf)))

    def ioctl(self, op, arg):
        if op == 4:
            return _parts[self.index]['size'] // 4096
        if op == 5:
            return 4096
        if op == 6:
            _check(ffboard.part_erase(self.index, arg * 4096, 4096))
        return 0

    def set_boot(self):
        _check(ffboard.set_boot(self.index))

    def get_next_update(self):
        return Partition(_parts[(self.index + 1) % len(_parts)]['label'])

    @staticmethod
    def mark_app_valid_cancel_rollback():
        _check(ffboard.mark_valid())

    def __eq__(self, other):
        return isinstance(other, Partition) and other.index == self.index
