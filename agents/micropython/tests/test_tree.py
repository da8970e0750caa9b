# Source trees on the board: the payload read as it streams in (its rules, and a resume from its last whole
# record), and the swap journal: a cut before any change of a forward swap, an undo or a cleanup leaves a state from
# which running either direction again gives a whole tree, the old one or the new one.
import hashlib
import os

from fieldflash import store
from fieldflash.crypto import hex
from fieldflash.updates.tree_payload import Malformed, Payload, payload_digest
from fieldflash.updates.tree_swap import Swap

T = '/tests-tree'
ROOT, STAGING, BACKUP, LOG = T + '/app', T + '/app.new', T + '/app.old', T + '/records.txt'
ENV = b'WIFI_PASSWORD = "board"\n'
OLD = {'main.py': b'print("1.0.0")\n', 'lib/a.py': b'A = 1\n', 'lib/old.py': b'OLD = 1\n', 'env.py': ENV, '.version': b'1.0.0\n'}
NEW = {'main.py': b'print("1.1.0")\n', 'lib/a.py': b'A = 1\n', 'lib/new/b.py': b'B = 2\n', 'env.py': ENV, '.version': b'1.1.0\n'}


def payload(version, files, deletes=(), local=('env.py',)):
    out = b'fieldflash-tree 1\nversion ' + version.encode() + b'\nentry main\n'
    for path in local:
        out += b'local ' + path.encode() + b'\n'
    for path in deletes:
        out += b'delete ' + path.encode() + b'\n'
    for path, data in files:
        out += ('file %s %d %s\n' % (hex(hashlib.sha256(data).digest()), len(data), path)).encode() + data
    return out + b'end\n'


NEW_PAYLOAD = payload('1.1.0', [('main.py', NEW['main.py']), ('lib/new/b.py', NEW['lib/new/b.py'])], ['lib/old.py'])


def files(root):
    out = {}

    def walk(at):
        for entry in os.ilistdir(root + ('/' + at if at else '')):
            path = at + '/' + entry[0] if at else entry[0]
            if entry[1] & 0x4000:
                walk(path)
            else:
                with open(root + '/' + path, 'rb') as f:
                    out[path] = f.read()

    if store.exists(root):
        walk('')
    return out


def stage():
    """/app holds OLD; the new tree's payload is parsed into the staging folder, as at commit."""
    _empty()
    for path, data in OLD.items():
        store.make_parents(ROOT, path)
        with open(ROOT + '/' + path, 'wb') as f:
            f.write(data)
    p = Payload(STAGING, LOG, ['env.py']).fresh()
    mv = memoryview(NEW_PAYLOAD)
    for at in range(0, len(mv), 37):  # pieces that split lines and files
        p.feed(mv[at:at + 37])
    assert p.ended and p.damaged is None
    with open(STAGING + '/.version', 'w') as f:
        f.write('1.1.0\n')
    return p


class Cut(Exception):
    pass


class PowerCut:
    """Makes the change (rename, mkdir, remove, rmdir) after the first `after` ones fail, as a power cut would."""

    NAMES = ('rename', 'mkdir', 'remove', 'rmdir')

    def __init__(self, after):
        self.left = after
        self.saved = {}

    def __enter__(self):
        for name in self.NAMES:
            real = getattr(os, name)
            self.saved[name] = real
            setattr(os, name, self._wrap(real))
        return self

    def _wrap(self, real):
        def change(*args):
            if self.left <= 0:
                raise Cut()
            self.left -= 1
            return real(*args)

        return change

    def __exit__(self, *exc):
        for name, real in self.saved.items():
            setattr(os, name, real)
        return exc[0] is Cut

    @property
    def finished(self):
        return self.left > 0


def swap():
    return Swap(ROOT, STAGING, BACKUP, LOG)


def test_the_payload_parses_in_pieces_and_hashes_back_to_itself():
    stage()
    assert files(STAGING) == {'main.py': NEW['main.py'], 'lib/new/b.py': NEW['lib/new/b.py'], '.version': b'1.1.0\n'}
    actual, damaged = payload_digest(STAGING, LOG, bytearray(64))
    assert damaged is None and actual == hex(hashlib.sha256(NEW_PAYLOAD).digest())


def test_a_resume_cuts_the_log_back_to_the_recorded_boundary():
    _empty()
    first = Payload(STAGING, LOG, ['env.py']).fresh()
    first.feed(memoryview(NEW_PAYLOAD)[:120])
    offset, log, records = first.boundary
    first.feed(memoryview(NEW_PAYLOAD)[120:len(NEW_PAYLOAD) - 10])  # more records logged, never recorded
    first.close()
    again = Payload(STAGING, LOG, ['env.py']).resume(offset, log, records)
    assert again.version == '1.1.0' and again.local == ['env.py', 'env.py']
    again.feed(memoryview(NEW_PAYLOAD)[offset:])
    assert again.ended
    assert payload_digest(STAGING, LOG, bytearray(64))[0] == hex(hashlib.sha256(NEW_PAYLOAD).digest())


def _empty():
    store.remove_tree(T)
    store.ensure_dir(T)


def test_a_damaged_file_is_found():
    _empty()
    bad = NEW_PAYLOAD.replace(b'B = 2', b'B = 3')
    p = Payload(STAGING, LOG, ['env.py']).fresh()
    p.feed(memoryview(bad))
    assert p.damaged == 'lib/new/b.py'
    assert payload_digest(STAGING, LOG, bytearray(64))[1] == 'lib/new/b.py'


def _malformed(data):
    _empty()
    try:
        Payload(STAGING, LOG, ['env.py']).fresh().feed(memoryview(data))
    except Malformed as error:
        return str(error)
    return None


def test_payloads_that_break_the_format_are_refused():
    assert 'does not start' in _malformed(b'fieldflash-tree 2\n')
    assert 'version record must come before' in _malformed(b'fieldflash-tree 1\ndelete a.py\n')
    assert 'device-local' in _malformed(payload('1.1.0', [('env.py', b'x')]))
    assert 'device-local' in _malformed(payload('1.1.0', [], ['data/log.txt'], ['env.py', 'data/']))
    assert '.version' in _malformed(payload('1.1.0', [('.version', b'9.9.9')]))
    assert '".."' in _malformed(payload('1.1.0', [], ['lib/../../boot.py']))
    assert 'empty' in _malformed(payload('1.1.0', [], ['lib//a.py']))
    assert 'relative path' in _malformed(payload('1.1.0', [], ['/main.py']))
    assert 'longer than 512' in _malformed(b'fieldflash-tree 1\nversion 1.1.0\ndelete ' + b'a' * 600 + b'\n')
    assert 'bytes follow the end' in _malformed(payload('1.1.0', []) + b'x')
    assert 'not a record' in _malformed(b'fieldflash-tree 1\nversion 1.1.0\nchmod 777 main.py\n')
    assert 'file record must read' in _malformed(b'fieldflash-tree 1\nversion 1.1.0\nfile abc 1 a.py\n')
    assert 'after the first file' in _malformed(payload('1.1.0', [], ['a.py']).replace(b'end\n', b'local x.py\nend\n'))


def _changes_of(run):
    """How many changes `run` makes on a staged board."""
    stage()
    with PowerCut(10000) as cut:
        run()
    return 10000 - cut.left


def test_a_cut_forward_swap_undoes_to_the_old_tree_and_redoes_to_the_new():
    steps = _changes_of(lambda: swap().forward())
    assert steps >= 6
    for k in range(steps + 1):
        stage()
        with PowerCut(k):
            swap().forward()
        swap().undo()
        assert files(ROOT) == OLD, 'undo after %d changes' % k
        stage()
        with PowerCut(k):
            swap().forward()
        swap().forward()
        assert files(ROOT) == NEW, 'forward again after %d changes' % k


def test_a_cut_undo_finishes_when_run_again():
    def forward_then_undo():
        swap().forward()
        swap().undo()

    steps = _changes_of(forward_then_undo)
    for k in range(steps + 1):
        stage()
        with PowerCut(k):
            swap().forward()
            swap().undo()
        swap().undo()
        assert files(ROOT) == OLD, 'undo again after %d changes' % k


def test_a_cut_cleanup_finishes_when_run_again():
    for k in range(20):
        stage()
        swap().forward()
        with PowerCut(k):
            swap().finish()
        swap().finish()
        assert files(ROOT) == NEW, 'cleanup again after %d changes' % k
        assert not store.exists(STAGING) and not store.exists(BACKUP) and not store.exists(LOG)
        assert not store.exists(ROOT + '/lib/old.py')


def test_device_local_files_are_never_moved():
    stage()
    before = os.stat(ROOT + '/env.py')
    swap().forward()
    swap().undo()
    swap().forward()
    swap().finish()
    assert os.stat(ROOT + '/env.py') == before
