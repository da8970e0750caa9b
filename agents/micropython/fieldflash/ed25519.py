# Ed25519 signature verification (RFC 8032 §5.1.7) in pure Python, for release manifests (docs/protocol.md §4.9).
# Verification only: the device never signs. R' = [S]B - [k]A is computed with one pass over both scalars' bits
# (Shamir's trick) in extended coordinates, so there is no inversion until the one that encodes R'; the result is
# compared with R's encoding, as OpenSSL (and so WebCrypto in Node and browsers) does.
from fieldflash.sha512 import sha512

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493
D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
D2 = 2 * D % P
SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
BX = 15112221349535400772501151409588531511454012693041857206046113283949847762202
BY = 46316835694926478169428394003475163141307993866256225615783033603165251855960
_BASE = (BX, BY, 1, BX * BY % P)


def _add(p, q):
    """Extended-coordinate addition for a = -1 (add-2008-hwcd-3)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * D2 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _decode(data):
    """The point a 32-byte encoding names, or None when it names none (RFC 8032 §5.1.3)."""
    y = int.from_bytes(data, 'little')
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    yy = y * y % P
    u = (yy - 1) % P
    v = (D * yy + 1) % P
    v3 = v * v * v % P
    x = u * v3 * pow(u * v3 * v3 * v % P, (P - 5) // 8, P) % P
    vxx = v * x * x % P
    if vxx != u:
        if vxx != P - u:
            return None
        x = x * SQRT_M1 % P
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def _encode(x, y, z):
    zi = pow(z, P - 2, P)
    x = x * zi % P
    y = y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, 'little')


def verify(public_key, message, signature):
    """Whether `signature` (64 bytes) is public_key's (32 bytes) Ed25519 signature of `message`. Malformed keys or
    signatures verify nothing: False, never an exception."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    s = int.from_bytes(signature[32:], 'little')
    if s >= L:
        return False
    a = _decode(public_key)
    if a is None:
        return False
    k = int.from_bytes(sha512(signature[:32], public_key, message), 'little') % L
    # -A, and B - A: the table the joint pass adds from, by the pair of bits (S's, k's).
    neg = ((P - a[0]) % P, a[1], a[2], (P - a[3]) % P)
    table = (None, neg, _BASE, _add(_BASE, neg))
    x, y, z, t = 0, 1, 1, 0
    for i in range(252, -1, -1):  # S and k are below L < 2^253
        # Doubling (dbl-2008-hwcd), inline: this loop runs some 253 times.
        a2 = x * x % P
        b2 = y * y % P
        c2 = 2 * z * z % P
        h = a2 + b2
        e = h - (x + y) * (x + y) % P
        g = a2 - b2
        f = c2 + g
        x, y, z, t = e * f % P, g * h % P, f * g % P, e * h % P
        pick = ((s >> i) & 1) << 1 | ((k >> i) & 1)
        if pick:
            x2, y2, z2, t2 = table[pick]
            a2 = (y - x) * (y2 - x2) % P
            b2 = (y + x) * (y2 + x2) % P
            c2 = t * D2 * t2 % P
            d2 = 2 * z * z2 % P
            e, f, g, h = b2 - a2, d2 - c2, d2 + c2, b2 + a2
            x, y, z, t = e * f % P, g * h % P, f * g % P, e * h % P
    return _encode(x, y, z) == bytes(signature[:32])
