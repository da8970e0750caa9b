# Stand-in for MicroPython's machine module on the Node bridge: the board's MAC and a hard reset.
import binascii
import json

import ffboard

_board = json.load(open('/board.json'))


def unique_id():
    return binascii.unhexlify(_board['uniqueId'].encode())


def reset():
    ffboard.reset()
    # A reset never returns: unwind whatever called it.
    raise SystemExit
