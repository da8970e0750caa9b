# ECDSA P-256 with SHA-256 signature verification (FIPS 186-5 §6.4.2) in pure Python, for release manifests
# (docs/protocol.md §4.9); signatures are raw r || s (IEEE P1363), as WebCrypto makes them. u1·G + u2·Q is computed
# in one pass over both scalars' bits (Shamir's trick) in Jacobian coordinates, adding affine points (G, Q and G + Q),
# so the only inversions are the one that makes G + Q affine and the final one.
import hashlib

P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff
N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b
GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296
GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5


def on_curve(x, y):
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x - 3 * x + B)) % P == 0


def _double(x, y, z):
    """Jacobian doubling for a = -3 (dbl-2001-b)."""
    if z == 0 or y == 0:
        return 0, 1, 0
    delta = z * z % P
    gamma = y * y % P
    beta = x * gamma % P
    alpha = 3 * (x - delta) * (x + delta) % P
    x3 = (alpha * alpha - 8 * beta) % P
    z3 = ((y + z) * (y + z) - gamma - delta) % P
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % P
    return x3, y3, z3


def _add_affine(x1, y1, z1, x2, y2):
    """(x1, y1, z1) + the affine (x2, y2): mixed Jacobian addition; doubling when both are the same point."""
    if z1 == 0:
        return x2, y2, 1
    zz = z1 * z1 % P
    h = (x2 * zz - x1) % P
    r = (y2 * zz * z1 - y1) % P
    if h == 0:
        return _double(x1, y1, z1) if r == 0 else (0, 1, 0)
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    y3 = (r * (v - x3) - y1 * hhh) % P
    return x3, y3, z1 * h % P


def _affine(x, y, z):
    zi = pow(z, P - 2, P)
    zi2 = zi * zi % P
    return x * zi2 % P, y * zi2 * zi % P


def public_point(raw):
    """(x, y) of an uncompressed SEC 1 point (0x04 || x || y) on the curve, or None."""
    if len(raw) != 65 or raw[0] != 4:
        return None
    x = int.from_bytes(raw[1:33], 'big')
    y = int.from_bytes(raw[33:], 'big')
    return (x, y) if on_curve(x, y) else None


def verify(public_key, message, signature):
    """Whether `signature` (64 bytes r || s) is the ECDSA P-256 signature over SHA-256(message) of public_key (65
    bytes, uncompressed). Malformed keys or signatures verify nothing: False, never an exception."""
    if len(signature) != 64:
        return False
    q = public_point(public_key)
    if q is None:
        return False
    r = int.from_bytes(signature[:32], 'big')
    s = int.from_bytes(signature[32:], 'big')
    if not (0 < r < N and 0 < s < N):
        return False
    e = int.from_bytes(hashlib.sha256(message).digest(), 'big')
    w = pow(s, N - 2, N)
    u1 = e * w % N
    u2 = r * w % N
    gq = _add_affine(GX, GY, 1, q[0], q[1])
    table = (None, q, (GX, GY), None if gq[2] == 0 else _affine(*gq))
    x, y, z = 0, 1, 0
    for i in range(255, -1, -1):
        x, y, z = _double(x, y, z)
        pick = ((u1 >> i) & 1) << 1 | ((u2 >> i) & 1)
        if pick and table[pick] is not None:
            x, y, z = _add_affine(x, y, z, table[pick][0], table[pick][1])
    if z == 0:
        return False
    return _affine(x, y, z)[0] % N == r
