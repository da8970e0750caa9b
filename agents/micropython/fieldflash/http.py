# HTTP/1.1 for the agent, on asyncio streams (asyncio.start_server on a board; the Node bridge's streams in the
# interpreter). Framing only: the request head is read and checked (Host, chunked bodies, the connection cap),
# the handler admits a request from its head before any body byte is read, and bodies are read by the handler in
# pieces, never whole (docs/protocol.md §1.2, §1.3, §7, §10).
import asyncio

from fieldflash import clock
from fieldflash.errors import Refusal, bad_request

API = '/fieldflash/v1'
JSON_LIMIT = 4096  # no protocol message a board without WebRTC takes comes near it (§1.3)
DISCARD_LIMIT = 65536  # a refused request's unread body up to this size is read and dropped; a larger one closes
HEAD_TIMEOUT_MS = 10000
KEEP_ALIVE_MS = 5000
REASONS = {100: 'Continue', 200: 'OK', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
           404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 411: 'Length Required',
           413: 'Content Too Large', 421: 'Misdirected Request', 422: 'Unprocessable Content', 429: 'Too Many Requests',
           500: 'Internal Server Error', 503: 'Service Unavailable'}
ALLOW_HEADERS = 'Authorization, Content-Type, Content-Digest, FieldFlash-Client, FieldFlash-Protocol'


class Closed(Exception):
    """The peer went away, or the connection must close without a reply."""


class Body:
    """A request body read in pieces: never more than Content-Length, each piece within the idle timeout."""

    def __init__(self, reader, length, idle_ms):
        self.reader = reader
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
            got = await asyncio.wait_for_ms(self.reader.readinto(mv[:n]), wait)
        except asyncio.TimeoutError:
            raise Refusal('timeout', 'The request body stopped arriving; the device closed the request. Continue from the offset it reports.')
        if not got:
            raise Closed('the connection closed in the middle of the body')
        self.remaining -= got
        return got

    async def read_json_text(self, deadline_ms):
        """At most JSON_LIMIT bytes of a JSON body, all within `deadline_ms` (§10)."""
        from fieldflash.fields import MAX_DEPTH
        self.deadline = clock.after(deadline_ms)
        buf = bytearray(min(self.length, JSON_LIMIT))
        mv = memoryview(buf)
        got = 0
        while got < len(buf):
            got += await self.readinto(mv[got:])
        if self.length > JSON_LIMIT:
            # Nesting is judged first, so an attack on parsers gets the same 400 on every device.
            depth = 0
            for c in buf:
                if c == 0x5B or c == 0x7B:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise bad_request('The request body is JSON nested deeper than %d levels.' % MAX_DEPTH)
            raise Refusal('too-large', 'A request body may be at most %d bytes on this device; this one is %d.' % (JSON_LIMIT, self.length))
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


class Connections:
    """At most `limit` connections; at the cap a new one closes the one idle the longest, or gets 503 (§10). A
    connection whose next request has arrived but is not read yet is not idle (streams that can tell say so)."""

    def __init__(self, limit):
        self.limit = limit
        self.open = []  # [writer, busy, idle since]

    def admit(self, writer):
        if len(self.open) >= self.limit:
            idle = [c for c in self.open if not c[1] and not _arrived(c[0])]
            if not idle:
                return None
            oldest = idle[0]
            for c in idle:
                if clock.since_ms(c[2]) > clock.since_ms(oldest[2]):
                    oldest = c
            self.open.remove(oldest)
            oldest[0].close()
        entry = [writer, False, clock.now(), 0]  # writer, busy, idle since, requests served
        self.open.append(entry)
        return entry

    def leave(self, entry):
        if entry in self.open:
            self.open.remove(entry)


def _arrived(writer):
    pending = getattr(writer, 'pending', None)
    return pending is not None and pending()


def _is_ipv4(name):
    parts = name.split('.')
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) < 256 for p in parts)


def own_host(host, names):
    """Whether a Host header names this device: an IP literal, localhost or one of its names (§7.3)."""
    if host is None:
        return True
    if host.startswith('['):
        end = host.find(']')
        rest = host[end + 1:]
        return end > 1 and all(c in '0123456789abcdefABCDEF:.' for c in host[1:end]) and (rest == '' or (rest[0] == ':' and rest[1:].isdigit()))
    colon = host.find(':')
    name, port = (host, '') if colon < 0 else (host[:colon], host[colon + 1:])
    if colon >= 0 and (not port.isdigit() or len(port) > 5):
        return False
    name = name.strip().lower()
    if name.endswith('.'):
        name = name[:-1]
    return _is_ipv4(name) or name in names


def _json(value):
    import json
    return json.dumps(value)


async def send(writer, status, body=None, headers=None, origin=None, cors=True, close=False):
    """A reply: `body` is a JSON value, or an object whose stream(send) writes the JSON text in pieces (sent chunked)."""
    lines = ['HTTP/1.1 %d %s' % (status, REASONS.get(status, 'Status'))]
    if cors:
        lines.append('Access-Control-Allow-Origin: ' + (origin or '*'))
        lines.append('Vary: Origin')
        lines.append('Access-Control-Expose-Headers: Retry-After, Content-Digest')
    for name, value in (headers or {}).items():
        lines.append('%s: %s' % (name, value))
    payload = b''
    streamed = body is not None and hasattr(body, 'stream')
    if streamed:
        lines.append('Content-Type: application/json')
        lines.append('Transfer-Encoding: chunked')
    elif body is not None:
        payload = _json(body).encode()
        lines.append('Content-Type: application/json')
    if status != 204 and status >= 200 and not streamed:
        lines.append('Content-Length: %d' % len(payload))
    lines.append('Cache-Control: no-store')
    if close:
        lines.append('Connection: close')
    writer.write(('\r\n'.join(lines) + '\r\n\r\n').encode())
    if payload:
        writer.write(payload)
    if streamed:
        async def piece(text):
            data = text.encode()
            writer.write(('%x\r\n' % len(data)).encode())
            writer.write(data)
            writer.write(b'\r\n')
            await writer.drain()

        await body.stream(piece)
        writer.write(b'0\r\n\r\n')
    await writer.drain()


async def send_refusal(writer, refusal, origin=None, cors=True, close=False):
    headers = dict(refusal.headers)
    retry = refusal.details.get('retryAfterSeconds')
    if retry is not None:
        headers['Retry-After'] = str(retry)
    await send(writer, refusal.status, refusal.body(), headers, origin, cors, close)


async def _line(reader, timeout_ms):
    try:
        line = await asyncio.wait_for_ms(reader.readline(), max(1, timeout_ms))
    except asyncio.TimeoutError:
        return None
    if not line:
        raise Closed('the peer closed the connection')
    return line


async def read_head(reader, first_wait_ms, peer):
    """The next request's head, or None when the connection stayed idle or closed."""
    try:
        line = await _line(reader, first_wait_ms)
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
        line = await _line(reader, clock.left_ms(deadline))
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


def preflight_headers(request, device_id):
    headers = {'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS', 'Access-Control-Allow-Headers': ALLOW_HEADERS,
               'Access-Control-Max-Age': '600'}
    if request.header('access-control-request-private-network') == 'true':
        headers['Access-Control-Allow-Private-Network'] = 'true'
        headers['Private-Network-Access-Name'] = device_id
    return headers


class Server:
    """Serves one connection after another through `handler` (handler.py): admit(request), then handle(request)."""

    def __init__(self, handler, config, log):
        self.handler = handler
        self.config = config
        self.log = log
        self.connections = Connections(config.max_connections)

    async def serve(self, reader, writer):
        entry = self.connections.admit(writer)
        if entry is None:
            try:
                await send_refusal(writer, Refusal('too-many-connections', 'The device allows %d connections and every one is busy. Try again in a moment.' % self.connections.limit), None, False, True)
            except OSError:
                pass
            writer.close()
            return
        peer = writer.get_extra_info('peername')
        address = peer[0] if isinstance(peer, tuple) else str(peer)
        served = 0
        try:
            while True:
                entry[1] = False
                entry[2] = clock.now()
                request = await read_head(reader, KEEP_ALIVE_MS if served else HEAD_TIMEOUT_MS, address)
                if request is None:
                    break
                entry[1] = True
                served += 1
                entry[3] = served
                if not await self._exchange(reader, writer, request):
                    break
        except (Closed, OSError, EOFError, UnicodeError):
            pass
        finally:
            self.connections.leave(entry)
            try:
                writer.close()
                await writer.wait_closed()
            except OSError:
                pass

    async def _exchange(self, reader, writer, request):
        """Answers one request; False when the connection must close afterwards."""
        origin = request.header('origin')
        keep = request.version == 'HTTP/1.1' and (request.header('connection') or '').lower() != 'close'
        length_text = request.header('content-length') or '0'
        if not length_text.isdigit():
            await send_refusal(writer, bad_request('Content-Length is not a number of bytes.'), origin, True, True)
            return False
        request.body = Body(reader, int(length_text), int(self.config.hold_idle_s * 1000))
        if not own_host(request.header('host'), self.handler.host_names()):
            refusal = Refusal('unknown-host', 'This device does not answer to the name %s. Use its IP address, localhost or one of its own names.' % request.header('host'))
            return await self._finish(writer, request, refusal, None, keep, cors=False)
        api = request.path.startswith(API + '/')
        if request.method == 'OPTIONS' and api:
            await send(writer, 204, None, preflight_headers(request, self.handler.device_id()), origin)
            return await self._drain(request, keep)
        if not api:
            return await self._finish(writer, request, Refusal('bad-request', 'Nothing here: the FieldFlash agent answers under %s/.' % API, None, 404), None, keep, cors=False)
        try:
            if request.header('transfer-encoding') is not None:
                raise Refusal('bad-request', 'Send the body with a Content-Length; this device does not read chunked request bodies.', None, 411)
            # Authentication from the head alone: a stranger's body is never read, nor asked for.
            self.handler.admit(request)
            if (request.header('expect') or '').lower() == '100-continue':
                writer.write(b'HTTP/1.1 100 Continue\r\n\r\n')
                await writer.drain()
            status, body, headers = await self.handler.handle(request)
        except Refusal as refusal:
            return await self._finish(writer, request, refusal, origin, keep)
        await send(writer, status, body, headers, origin, True, not keep or request.body.remaining > 0)
        return keep and request.body.remaining == 0

    async def _finish(self, writer, request, refusal, origin, keep, cors=True):
        close = not keep or request.body.remaining > DISCARD_LIMIT or refusal.code == 'timeout'
        await send_refusal(writer, refusal, origin, cors, close)
        if close:
            return False
        return await self._drain(request, keep)

    async def _drain(self, request, keep):
        try:
            await request.body.discard()
        except Refusal:
            return False
        return keep
