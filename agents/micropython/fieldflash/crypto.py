# HMAC-SHA-256 and PBKDF2 on hashlib.sha256 (MicroPython has no hmac module), base64 and hex, and the
# constant-time comparison the proofs need. Nothing here allocates more than a few small buffers.
import binascii
import hashlib
import os

_BLOCK = 64


def _pads(key):
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = bytes(key) + bytes(_BLOCK - len(key))
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sha256(key, message):
    if isinstance(message, str):
        message = message.encode()
    ipad, opad = _pads(key)
    inner = hashlib.sha256(ipad)
    inner.update(message)
    outer = hashlib.sha256(opad)
    outer.update(inner.digest())
    return outer.digest()


def pbkdf2_sha256(secret, salt, iterations):
    """The 32-byte PBKDF2-HMAC-SHA-256 key (docs/protocol.md §3.1): run once, at pairing."""
    ipad, opad = _pads(secret)
    sha = hashlib.sha256

    def mac(message):
        inner = sha(ipad)
        inner.update(message)
        outer = sha(opad)
        outer.update(inner.digest())
        return outer.digest()

    u = mac(salt + b'\x00\x00\x00\x01')
    # XOR as one big integer: 32 byte-wise XORs per round would cost more than the two hashes.
    acc = int.from_bytes(u, 'big')
    for _ in range(iterations - 1):
        u = mac(u)
        acc ^= int.from_bytes(u, 'big')
    return acc.to_bytes(32, 'big')


def hex(data):
    return binascii.hexlify(data).decode()


def unhex(text):
    return binascii.unhexlify(text)


def b64(data):
    return binascii.b2a_base64(data).decode().strip()


def unb64(text):
    return binascii.a2b_base64(text.encode() if isinstance(text, str) else text)


def random_bytes(n):
    return os.urandom(n)


def same(a, b):
    """Compares two strings or byte strings in time that does not depend on where they differ."""
    if isinstance(a, str):
        a = a.encode()
    if isinstance(b, str):
        b = b.encode()
    if len(a) != len(b):
        return False
    diff = 0
    for x, y in zip(a, b):
        diff |= x ^ y
    return diff == 0


_B64 = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'


def is_b64_chars(text):
    for c in text.encode():
        if c not in _B64:
            return False
    return True


def content_digest_sha256(header):
    """The sha-256 member of an RFC 9530 Content-Digest dictionary, as 32 raw bytes, or None (§4.3)."""
    if header is None:
        return None
    for member in header.split(','):
        member = member.strip()
        if not member.startswith('sha-256=:') or not member.endswith(':'):
            continue
        value = member[9:-1]
        if len(value) == 44 and value[43] == '=' and is_b64_chars(value[:43]):
            try:
                raw = unb64(value)
            except (ValueError, TypeError):
                return None
            return raw if len(raw) == 32 else None
    return None
