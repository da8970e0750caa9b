# Typed reading of JSON messages at the edge (docs/protocol.md §1): a field of the wrong type, a null, JSON nested
# deeper than 32 levels or a body that is not JSON is 400 bad-request, naming the field.
import json

from fieldflash import semver
from fieldflash.errors import bad_request

MAX_DEPTH = 32


def _depth_ok(text):
    # Checked before json.loads: a recursive parser must never meet 20 000 nested brackets.
    depth = 0
    in_string = False
    escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == '\\':
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == '[' or c == '{':
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif c == ']' or c == '}':
            depth -= 1
    return True


def parse_json(raw, what):
    """The JSON value of a body, or None for an empty body."""
    try:
        text = bytes(raw).decode()
    except UnicodeError:
        raise bad_request('%s is not UTF-8 text.' % what)
    if not text.strip():
        return None
    if not _depth_ok(text):
        raise bad_request('%s is JSON nested deeper than %d levels.' % (what, MAX_DEPTH))
    try:
        return json.loads(text)
    except ValueError:
        raise bad_request('%s is not valid JSON.' % what)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


class Fields:
    def __init__(self, value, name):
        if not isinstance(value, dict):
            raise bad_request('%s must be a JSON object.' % name)
        self.value = value
        self.name = name

    def _fail(self, field, problem):
        raise bad_request('%s.%s: %s.' % (self.name, field, problem))

    def has(self, field):
        # null is never a value (§1): present-and-null is refused by the readers, not read as absent.
        return field in self.value

    def string(self, field, max_length=256, min_length=1):
        value = self.value.get(field)
        if not isinstance(value, str):
            self._fail(field, 'expected a string')
        if not min_length <= len(value) <= max_length:
            self._fail(field, 'expected %d to %d characters' % (min_length, max_length))
        return value

    def int(self, field, low=0, high=(1 << 53) - 1):
        value = self.value.get(field)
        if not _is_int(value):
            self._fail(field, 'expected a whole number')
        if not low <= value <= high:
            self._fail(field, 'expected a whole number from %d to %d' % (low, high))
        return value

    def bool(self, field):
        value = self.value.get(field)
        if not isinstance(value, bool):
            self._fail(field, 'expected true or false')
        return value

    def sha256(self, field):
        value = self.string(field, 64, 64)
        for c in value:
            if c not in '0123456789abcdef':
                self._fail(field, 'expected 64 lower-case hex digits')
        return value

    def version(self, field):
        value = self.string(field, semver.MAX_LENGTH)
        if semver.parse(value) is None:
            self._fail(field, 'expected a SemVer 2.0 version such as 1.3.0')
        return value

    def client_id(self, field):
        value = self.string(field, 64)
        for c in value:
            if not (c.isalpha() or c.isdigit() or c in '._-') or ord(c) > 127:
                self._fail(field, 'expected 1 to 64 characters of A-Z a-z 0-9 . _ -')
        return value

    def base64(self, field):
        from fieldflash.crypto import is_b64_chars
        value = self.string(field, 88, 24)
        body = value.rstrip('=')
        if len(value) % 4 or len(value) - len(body) > 2 or not is_b64_chars(body):
            self._fail(field, 'expected padded base64 of at least 16 bytes')
        return value

    def hmac(self, field):
        value = self.string(field, 64, 64)
        for c in value:
            if c not in '0123456789abcdef':
                self._fail(field, 'expected 64 lower-case hex digits')
        return value

    def optional(self, field, read, *args):
        return read(field, *args) if self.has(field) else None
