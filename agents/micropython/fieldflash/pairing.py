# The pairing key (docs/protocol.md §3.1): derived once, when the board is paired, and stored with its salt and
# iteration count; the secret itself is never stored. At boot the agent only reads the stored key: PBKDF2 with
# 100 000 rounds takes a minute or more on an ESP32.
from fieldflash import store
from fieldflash.crypto import b64, pbkdf2_sha256, random_bytes, unb64

ITERATIONS = 100000
AUTH_FILE = 'auth.json'
_CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'


def normalize(secret):
    """A pairing code as people type it becomes its canonical XXXX-XXXX-XXXX-XXXX; any other text is a password."""
    text = secret.replace(' ', '').replace('-', '').upper().replace('O', '0').replace('I', '1').replace('L', '1')
    if len(text) == 16 and all(c in _CROCKFORD for c in text):
        return '-'.join(text[i:i + 4] for i in range(0, 16, 4))
    return secret


def stored(state_dir):
    """The stored key ({'salt', 'iterations', 'key'}), or None on a board never paired."""
    record = store.read_json(state_dir + '/' + AUTH_FILE)
    if record is None:
        return None
    if not isinstance(record.get('salt'), str) or not isinstance(record.get('key'), str) or not isinstance(record.get('iterations'), int):
        raise ValueError('%s/%s does not hold a salt, iterations and a key; pair the board again' % (state_dir, AUTH_FILE))
    return {'salt': record['salt'], 'iterations': record['iterations'], 'key': unb64(record['key'])}


def derive(secret, salt, iterations=ITERATIONS):
    return pbkdf2_sha256(normalize(secret).encode(), unb64(salt), iterations)


def pair(state_dir, secret, iterations=ITERATIONS):
    """Pairs the board with `secret`: keeps the salt while the secret is unchanged (a label's code stays valid)."""
    store.ensure_dir(state_dir)
    old = stored(state_dir)
    if old is not None:
        key = derive(secret, old['salt'], old['iterations'])
        if key == old['key']:
            return old
    salt = b64(random_bytes(16))
    key = derive(secret, salt, iterations)
    store.write_json(state_dir + '/' + AUTH_FILE, {'salt': salt, 'iterations': iterations, 'key': b64(key)})
    return {'salt': salt, 'iterations': iterations, 'key': key}
