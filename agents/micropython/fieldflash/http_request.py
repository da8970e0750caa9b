# Reading a request on the agent's HTTP connections (http.py): its head, line by line, and its body in pieces, each
# read under the connection's deadline (docs/protocol.md §1.3, §10). Bodies are never read whole.
import asyncio

from fieldflash import clock
from fieldflash.errors import Refusal, bad_request

JSON_LIMIT = 4096  # no protocol message a board without WebRTC takes comes near it (§1.3)...
# ...but an offer that carries its signed release (§4.9): the manifest's bytes in base64, a few hundred bytes for
# firmware, about 130 bytes a file for a source tree, so some 90 files.
OFFER_LIMIT = 16384
HEAD_TIMEOUT_MS = 10000

WATCH_MS = 250  # how often the watchdog looks at the connections' read deadlines


class Closed(Exception):
    """The peer went away, or the connection must close without a reply."""


class Watch:
    """One connection's read deadline. A read that outlives it is cancelled by the server's watchdog, one task for all
    connections: asyncio.wait_for_ms would make two tasks, a timer and the exceptions that end them for every header
    line and body read (about 0.6 KiB of garbage each), which a board must then collect."""

    __slots__ = ('task', 'due', 'fired')

    def __init__(self):
        self.task = asyncio.current_task()
        self.due = None
        self.fired = False


async def within(watch, awaitable, ms):
    """The result of `awaitable`, or asyncio.TimeoutError once `ms` have passed without it."""
    watch.due = clock.after(ms)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if not watch.fired:
            raise
        watch.fired = False
        raise asyncio.TimeoutError()
    finally:
        watch.due = None


class Body:
    """A request body read in pieces: never more than Content-Length, each piece within the idle timeout."""

    def __init__(self, reader, length, idle_ms, watch):
        self.reader = reader
        self.watch = watch
        self.length = length
        self.remaining = length
        self.idle_ms = idle_ms
        self.deadline = None

    async def readinto(self, mv):
        n = min(len(mv), self.remaining)
        if n == 0:
            return 0
        wait = self.idle_ms if self.deadline is None else min(self.idle_ms, clock.left_ms(self.deadline))
        try:
            got = await within(self.watch, self.reader.readinto(mv[:n]), wait)
        except asyncio.TimeoutError:
            raise Refusal('timeout', 'The request body stopped arriving; the device closed the request. Continue from the offset it reports.')
        if not got:
            raise Closed('the connection closed in the middle of the body')
        self.remaining -= got
        return got

    async def read_json_text(self, deadline_ms, limit=JSON_LIMIT):
        """At most `limit` bytes of a JSON body, all within `deadline_ms` (§10)."""
        from fieldflash.fields import MAX_DEPTH
        self.deadline = clock.after(deadline_ms)
        buf = bytearray(min(self.length, limit))
        mv = memoryview(buf)
        got = 0
        while got < len(buf):
            got += await self.readinto(mv[got:])
        if self.length > limit:
            # Nesting is judged first, so an attack on parsers gets the same 400 on every device.
            depth = 0
            for c in buf:
                if c == 0x5B or c == 0x7B:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise bad_request('The request body is JSON nested deeper than %d levels.' % MAX_DEPTH)
            raise Refusal('too-large', 'A request body may be at most %d bytes on this device; this one is %d.' % (limit, self.length))
        return buf

    async def discard(self):
        scratch = bytearray(256)
        mv = memoryview(scratch)
        while self.remaining:
            await self.readinto(mv)


class Request:
    def __init__(self, method, target, version, headers, peer):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.peer = peer
        q = target.find('?')
        self.path = target if q < 0 else target[:q]
        self.query = '' if q < 0 else target[q + 1:]
        self.body = None
        self.login = None
        self.json = None

    def header(self, name):
        return self.headers.get(name)

    def query_values(self, name):
        values = []
        for part in self.query.split('&') if self.query else ():
            eq = part.find('=')
            if (part[:eq] if eq >= 0 else part) == name:
                values.append(part[eq + 1:] if eq >= 0 else '')
        return values


async def _line(reader, timeout_ms, watch):
    try:
        line = await within(watch, reader.readline(), max(1, timeout_ms))
    except asyncio.TimeoutError:
        return None
    if not line:
        raise Closed('the peer closed the connection')
    return line


async def read_head(reader, first_wait_ms, peer, watch):
    """The next request's head, or None when the connection stayed idle or closed."""
    try:
        line = await _line(reader, first_wait_ms, watch)
    except Closed:
        return None
    if line is None:
        return None
    deadline = clock.after(HEAD_TIMEOUT_MS)
    parts = line.decode().strip().split(' ')
    if len(parts) != 3 or not parts[2].startswith('HTTP/1.'):
        raise Closed('not an HTTP/1.1 request line')
    headers = {}
    while True:
        line = await _line(reader, clock.left_ms(deadline), watch)
        if line is None:
            raise Closed('the request head did not arrive in time')
        text = line.decode().strip()
        if not text:
            break
        colon = text.find(':')
        if colon < 1 or len(headers) >= 64:
            raise Closed('a malformed header line')
        name = text[:colon].strip().lower()
        value = text[colon + 1:].strip()
        headers[name] = headers[name] + ', ' + value if name in headers else value
    return Request(parts[0], parts[1], parts[2], headers, peer)
