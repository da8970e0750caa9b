# The publisher keys the board trusts (docs/protocol.md §4.9): every *.pub.json (the release CLI's key file) or *.pem
# ("BEGIN PUBLIC KEY") in /fieldflash/keys, read at start. A key is accepted only by the exact SPKI prefix of an
# Ed25519 or P-256 key, as packages/bundle/src/trust/public-key.ts does, and named by its key id: the first 16 hex
# digits of the SHA-256 of its SPKI. Verification runs here, in pure Python, and says how long it took.
import hashlib
import json
import os
import time

from fieldflash.crypto import hex, is_b64_chars, unb64, unhex

FOLDER = 'keys'
PUBLIC_KEY_FORMAT = 'fieldflash-public-key'
# The SPKI bytes up to the key itself, and the SPKI's whole length.
_PREFIXES = (
    ('ed25519', unhex('302a300506032b6570032100'), 44),
    ('ecdsa-p256', unhex('3059301306072a8648ce3d020106082a8648ce3d030107034200'), 91),
)


class KeyFileError(Exception):
    """A key file the board cannot use: the agent does not start until it is replaced or removed."""


class Key:
    def __init__(self, algorithm, raw, key_id, name):
        self.algorithm = algorithm
        self.raw = raw  # Ed25519: the 32-byte key; P-256: the 65-byte uncompressed point
        self.key_id = key_id
        self.name = name


def from_spki(spki, name=None):
    for algorithm, prefix, length in _PREFIXES:
        if len(spki) == length and spki[:len(prefix)] == prefix:
            return Key(algorithm, bytes(spki[len(prefix):]), hex(hashlib.sha256(spki).digest())[:16], name)
    raise KeyFileError('not an Ed25519 or ECDSA P-256 public key')


def _unb64(text):
    text = ''.join(text.split())
    if len(text) % 4 or not is_b64_chars(text.rstrip('=')):
        raise KeyFileError('its key is not base64')
    try:
        return unb64(text)
    except (ValueError, TypeError):
        raise KeyFileError('its key is not base64')


def parse(text):
    """The Key a .pem or .pub.json file's text holds; KeyFileError says what is wrong with it."""
    text = text.strip()
    if text.startswith('-----BEGIN '):
        head = '-----BEGIN PUBLIC KEY-----'
        if not text.startswith(head) or not text.endswith('-----END PUBLIC KEY-----'):
            raise KeyFileError('it is a PEM, but not "BEGIN PUBLIC KEY" (a private key never goes on a device)')
        return from_spki(_unb64(text[len(head):-24]))
    try:
        file = json.loads(text)
    except ValueError:
        raise KeyFileError('it is neither a PEM public key nor a FieldFlash key file')
    if not isinstance(file, dict) or file.get('format') != PUBLIC_KEY_FORMAT or not isinstance(file.get('publicKey'), str):
        raise KeyFileError('it is JSON, but not a FieldFlash public key file ("format": "%s" with "publicKey")' % PUBLIC_KEY_FORMAT)
    name = file.get('name')
    key = from_spki(_unb64(file['publicKey']), name[:200] if isinstance(name, str) else None)
    if file.get('algorithm', key.algorithm) != key.algorithm:
        raise KeyFileError('it says %s but holds an %s key' % (file.get('algorithm'), key.algorithm))
    if file.get('keyId', key.key_id) != key.key_id:
        raise KeyFileError('it names key %s, but the key in it is %s' % (file.get('keyId'), key.key_id))
    return key


def load(state_dir):
    """{key id: Key} of the key folder, or None when it holds no key (the board then takes unsigned releases)."""
    folder = state_dir + '/' + FOLDER
    try:
        names = sorted(entry[0] for entry in os.ilistdir(folder))
    except OSError:
        return None
    keys = {}
    for name in names:
        if not (name.endswith('.pub.json') or name.endswith('.pem')):
            continue
        try:
            with open(folder + '/' + name) as f:
                key = parse(f.read())
        except (OSError, UnicodeError) as error:
            raise KeyFileError('%s/%s cannot be read (%s); replace or remove it' % (folder, name, error))
        except KeyFileError as error:
            raise KeyFileError('%s/%s: %s; replace or remove it' % (folder, name, error))
        keys[key.key_id] = key
    return keys or None


def verify(key, message, signature, log):
    """Whether `signature` is key's signature of `message`; logs how long the interpreter took."""
    started = time.ticks_ms()
    if key.algorithm == 'ed25519':
        from fieldflash import ed25519 as scheme
    else:
        from fieldflash import p256 as scheme
    good = scheme.verify(key.raw, message, signature)
    took = time.ticks_diff(time.ticks_ms(), started)
    log('signature %s in %d ms (%s, key %s)' % ('verified' if good else 'did not verify', took, key.algorithm, key.key_id))
    return good
