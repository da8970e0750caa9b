# Small JSON records on the board's filesystem (LittleFS on an ESP32), each replaced whole: written under a temporary
# name, then renamed over the old one, so a power cut leaves the old record or the new one, never half of one.
import json
import os


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
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(value, f)
    os.rename(tmp, path)


def remove(path):
    try:
        os.remove(path)
    except OSError:
        pass
