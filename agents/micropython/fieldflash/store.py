# Small JSON records on the board's filesystem (LittleFS on an ESP32), each replaced whole: written under a temporary
# name, then renamed over the old one, so a power cut leaves the old record or the new one, never half of one.
# Also the few directory operations the source-tree swap needs, each safe to run again after a power cut.
import json
import os

_DIR = 0x4000


def ensure_dir(path):
    try:
        os.mkdir(path)
    except OSError:
        pass  # it exists


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        return None
    except ValueError:
        raise ValueError('%s is not valid JSON; remove it to start the agent afresh' % path)


def write_json(path, value):
    # One write of the whole text: json.dump() would write it token by token, a flash write each.
    text = json.dumps(value)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path)


def remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def kind(path):
    """'file', 'dir' or None when nothing is there."""
    try:
        mode = os.stat(path)[0]
    except OSError:
        return None
    return 'dir' if mode & _DIR else 'file'


def exists(path):
    return kind(path) is not None


def make_parents(root, relative):
    """Creates `root` and the folders `relative` (a/b/c.py) needs under it."""
    ensure_dir(root)
    at = root
    parts = relative.split('/')
    for part in parts[:-1]:
        at = at + '/' + part
        ensure_dir(at)


def remove_tree(path):
    """Removes a file or a folder with everything in it; nothing there is no error."""
    found = kind(path)
    if found == 'file':
        os.remove(path)
    elif found == 'dir':
        for entry in list(os.ilistdir(path)):
            remove_tree(path + '/' + entry[0])
        os.rmdir(path)


def prune(root, relative):
    """Removes the folders of `relative` under `root` that are left empty, deepest first; stops at one that is not."""
    parts = relative.split('/')[:-1]
    while parts:
        try:
            os.rmdir(root + '/' + '/'.join(parts))
        except OSError:
            return  # not empty (or gone)
        parts.pop()
