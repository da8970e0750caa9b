# HTTP/1.1 for the agent, on asyncio streams (asyncio.start_server on a board; the Node bridge's streams in the
# interpreter). Framing only: the request head is read (http_request.py) and checked (Host, chunked bodies, the
# connection cap), the handler admits a request from its head before any body byte is read, and bodies are read by
# the handler in pieces, never whole (docs/protocol.md §1.2, §1.3, §7, §10). One watchdog task keeps the read
# deadlines of every connection.
import asyncio

from fieldflash import clock
from fieldflash.errors import Refusal, bad_request
from fieldflash.http_request import HEAD_TIMEOUT_MS, WATCH_MS, Body, Closed, Watch, read_head

API = '/fieldflash/v1'
DISCARD_LIMIT = 65536  # a refused request's unread body up to this size is read and dropped; a larger one closes
KEEP_ALIVE_MS = 5000
REASONS = {100: 'Continue', 200: 'OK', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
           404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 411: 'Length Required',
           413: 'Content Too Large', 421: 'Misdirected Request', 422: 'Unprocessable Content', 429: 'Too Many Requests',
           500: 'Internal Server Error', 503: 'Service Unavailable'}
ALLOW_HEADERS = 'Authorization, Content-Type, Content-Digest, FieldFlash-Client, FieldFlash-Protocol'


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
    # Head and body in one write, as one segment: a body written apart waits on the client's delayed ACK of the head
    # wherever Nagle's algorithm is on (40 ms on Linux).
    writer.write(('\r\n'.join(lines) + '\r\n\r\n').encode() + payload)
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
        self.watches = []
        self.watchdog = None

    async def _watch(self):
        # Runs while there are connections: cancels the read of any connection past its deadline.
        while self.watches:
            await asyncio.sleep_ms(WATCH_MS)
            for watch in self.watches:
                if watch.due is not None and clock.passed(watch.due):
                    watch.due = None
                    watch.fired = True
                    watch.task.cancel()
        self.watchdog = None

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
        watch = Watch()
        self.watches.append(watch)
        if self.watchdog is None:
            self.watchdog = asyncio.create_task(self._watch())
        try:
            while True:
                entry[1] = False
                entry[2] = clock.now()
                request = await read_head(reader, KEEP_ALIVE_MS if served else HEAD_TIMEOUT_MS, address, watch)
                if request is None:
                    break
                entry[1] = True
                served += 1
                entry[3] = served
                if not await self._exchange(reader, writer, request, watch):
                    break
        except (Closed, OSError, EOFError, UnicodeError):
            pass
        finally:
            self.watches.remove(watch)
            self.connections.leave(entry)
            try:
                writer.close()
                await writer.wait_closed()
            except OSError:
                pass

    async def _exchange(self, reader, writer, request, watch):
        """Answers one request; False when the connection must close afterwards."""
        origin = request.header('origin')
        keep = request.version == 'HTTP/1.1' and (request.header('connection') or '').lower() != 'close'
        length_text = request.header('content-length') or '0'
        if not length_text.isdigit():
            await send_refusal(writer, bad_request('Content-Length is not a number of bytes.'), origin, True, True)
            return False
        request.body = Body(reader, int(length_text), int(self.config.hold_idle_s * 1000), watch)
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
