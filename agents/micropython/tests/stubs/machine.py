# The machine module for unit tests: a fixed MAC, and a reset that unwinds as a real one never returns.
def unique_id():
    return b'\x24\x0a\xc4\x12\x34\x56'


def reset():
    raise SystemExit
