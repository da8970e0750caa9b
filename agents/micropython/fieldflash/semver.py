# SemVer 2.0 as the semver library reads it (docs/protocol.md §4.1): canonical text only, at most 256 characters,
# numbers up to 2^53 - 1; and its precedence, for the downgrade check.

MAX_LENGTH = 256
_MAX_NUMBER = (1 << 53) - 1
_IDENT = set(b'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-')


def _number(text):
    if not text or not text.isdigit() or (len(text) > 1 and text[0] == '0'):
        return None
    value = int(text)
    return value if value <= _MAX_NUMBER else None


def _identifiers(text, numeric_rules):
    if text == '':
        return None
    parts = text.split('.')
    for part in parts:
        if not part or any(c not in _IDENT for c in part.encode()):
            return None
        if numeric_rules and part.isdigit() and _number(part) is None:
            return None
    return parts


def parse(text):
    """(major, minor, patch, prerelease identifiers) or None when the text is not canonical SemVer."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    core, build = text, None
    if '+' in text:
        core, build = text.split('+', 1)
        if _identifiers(build, False) is None:
            return None
    pre = []
    if '-' in core:
        core, rest = core.split('-', 1)
        pre = _identifiers(rest, True)
        if pre is None:
            return None
    numbers = core.split('.')
    if len(numbers) != 3:
        return None
    values = [_number(n) for n in numbers]
    if None in values:
        return None
    return values[0], values[1], values[2], pre


def compare(a, b):
    """-1, 0 or 1 by SemVer precedence; both must parse."""
    pa, pb = parse(a), parse(b)
    for x, y in zip(pa[:3], pb[:3]):
        if x != y:
            return -1 if x < y else 1
    ra, rb = pa[3], pb[3]
    if not ra or not rb:
        return 0 if not ra and not rb else (1 if not ra else -1)
    for x, y in zip(ra, rb):
        if x == y:
            continue
        xn, yn = x.isdigit(), y.isdigit()
        if xn and yn:
            return -1 if int(x) < int(y) else 1
        if xn != yn:
            return -1 if xn else 1
        return -1 if x < y else 1
    return 0 if len(ra) == len(rb) else (-1 if len(ra) < len(rb) else 1)
