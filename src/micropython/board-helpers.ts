// The Python the installer defines on the board once per raw-REPL session. Small on purpose: it runs in a board's
// heap beside the application, reads files 256 bytes at a time and never holds a whole file.
// Names start with _ff_ so they do not meet the application's.

export const BOARD_HELPERS = `import os, hashlib, binascii
def _ff_sha(p):
    try:
        f = open(p, 'rb')
    except OSError:
        return '-'
    h = hashlib.sha256()
    b = bytearray(256)
    m = memoryview(b)
    while True:
        n = f.readinto(b)
        if not n:
            break
        h.update(m[:n])
    f.close()
    return binascii.hexlify(h.digest()).decode()
def _ff_dirs(p):
    d = ''
    for part in p.split('/')[:-1]:
        d = d + '/' + part if d else part
        try:
            os.stat(d)
        except OSError:
            os.mkdir(d)
def _ff_open(p):
    global _ff_f, _ff_w
    _ff_f = open(p, 'wb')
    _ff_w = _ff_f.write
def _ff_close():
    try:
        _ff_f.close()
    except Exception:
        pass
def _ff_rm(p):
    try:
        os.remove(p)
    except OSError:
        pass
def _ff_put(src, dst):
    try:
        os.rename(src, dst)
    except OSError:
        os.remove(dst)
        os.rename(src, dst)
def _ff_free():
    s = os.statvfs('/')
    print(s[0] * s[3], s[0] * s[2])
`;

/** A Python string literal for `text` (JSON's escapes are Python's too, for the paths a tree has). */
export function pyString(text: string): string {
  return JSON.stringify(text);
}
