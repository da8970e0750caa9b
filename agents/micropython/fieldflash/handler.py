# The request handler: takes a request parsed by http.py and answers it, in the order of checks of
# docs/protocol.md §1.2 (protocol version, route, authentication, syntax, busy, session, the endpoint's own).
# admit() runs on the head alone; handle() reads the body, in pieces, only after admit() passed.
import hashlib

from fieldflash import offer as offers
from fieldflash.crypto import content_digest_sha256, same
from fieldflash.errors import Refusal, bad_request
from fieldflash.fields import Fields, parse_json
from fieldflash.http import API, Closed

JSON_DEADLINE_MS = 10000
PUBLIC = (API + '/device', API + '/auth/challenge', API + '/auth/response')
TEST_HOOKS = ('health-check', 'power-cut', 'restart', 'expire-session', 'expire-challenges', 'timeouts')


def _sha_path(rest):
    return len(rest) == 64 and all(c in '0123456789abcdef' for c in rest)


def route(path, test_hooks, trees=False):
    """(methods the path answers, sha256 or None, kind) or None when the device has no such path."""
    if path == API + '/device':
        return ('GET',), None, 'device'
    if trees and path == API + '/tree':
        return ('GET',), None, 'tree'
    if path in (API + '/auth/challenge', API + '/auth/response'):
        return ('POST',), None, path[len(API) + 6:]
    if path == API + '/updates':
        return ('POST',), None, 'offer'
    if path.startswith(API + '/updates/'):
        rest = path[len(API) + 9:]
        if _sha_path(rest):
            return ('GET', 'PUT', 'DELETE'), rest, 'session'
        if rest.endswith('/commit') and _sha_path(rest[:-7]):
            return ('POST',), rest[:-7], 'commit'
    if path == API + '/reboot':
        return ('POST',), None, 'reboot'
    if test_hooks and path.startswith(API + '/test/') and path[len(API) + 6:] in TEST_HOOKS:
        return ('POST',), None, 'test'
    return None


def _offset(values):
    # Decimal digits only: no sign, no leading zero but for "0", at most 15 digits, one parameter (§4.3).
    if len(values) != 1:
        return None
    text = values[0]
    if not text or not text.isdigit() or len(text) > 15 or (len(text) > 1 and text[0] == '0'):
        return None
    return int(text)


class Handler:
    def __init__(self, device, auth, sessions, boot):
        self.device = device
        self.auth = auth
        self.sessions = sessions
        self.boot = boot

    def host_names(self):
        return self.device.host_names

    def device_id(self):
        return self.device.id

    def admit(self, request):
        protocol = request.header('fieldflash-protocol')
        if protocol is not None and protocol.strip() != '1':
            raise Refusal('unsupported-protocol', 'This device speaks FieldFlash protocol version 1, not %s.' % protocol, {'supported': [1]})
        found = route(request.path, self.device.config.test_hooks, self.device.tree is not None)
        if found is None:
            raise Refusal('bad-request', 'The device has no %s.' % request.path, None, 404)
        methods, request.sha256, request.kind = found
        if request.method not in methods:
            refusal = Refusal('bad-request', '%s answers %s, not %s.' % (request.path, ', '.join(methods), request.method), None, 405)
            refusal.headers['Allow'] = ', '.join(methods + ('OPTIONS',))
            raise refusal
        if request.path not in PUBLIC:
            request.login = self.auth.verify(request.header('authorization'), request.header('fieldflash-client'), request.method,
                                             request.target, request.header('content-digest') or '')

    async def handle(self, request):
        try:
            return await self._route(request)
        except (Refusal, Closed, EOFError, OSError):
            raise
        except Exception as error:  # one line for people; a client's request never earns a stack trace
            self.device.log('internal error on %s %s: %r' % (request.method, request.path, error))
            raise Refusal('internal', 'The device failed to handle the request: %s.' % error, None, 500)

    async def _json(self, request):
        if request.method in ('POST', 'PUT', 'DELETE') and request.body.length:
            from fieldflash.http_request import JSON_LIMIT, OFFER_LIMIT
            raw = await request.body.read_json_text(JSON_DEADLINE_MS, OFFER_LIMIT if request.kind == 'offer' else JSON_LIMIT)
            if request.login is not None:
                claimed = content_digest_sha256(request.header('content-digest'))
                if claimed is None or not same(hashlib.sha256(raw).digest(), claimed):
                    raise Refusal('bad-mac', "The body does not match a Content-Digest the request's MAC covers: it was altered, or carries none.")
            return parse_json(raw, 'The request body')
        return None

    async def _route(self, request):
        kind = request.kind
        sessions = self.sessions
        if kind == 'device':
            return 200, self.device.document(), None
        if kind == 'tree':
            from fieldflash.updates.source_tree import Listing
            tree = self.device.tree
            return 200, Listing(tree, tree.local(self.device.journal.tree['active']), self.device.buffers), None
        if kind == 'session' and request.method == 'PUT':
            return 200, await self._put(request), None
        body = await self._json(request)
        client = request.login.client_id if request.login is not None else None
        if kind == 'challenge':
            f = Fields(body, 'ChallengeRequest')
            return 200, self.auth.challenge(request.peer, f.client_id('clientId')), None
        if kind == 'response':
            f = Fields(body, 'AuthRequest')
            reply = self.auth.respond(request.peer, f.string('challengeId', 128), f.client_id('clientId'), f.base64('clientNonce'), f.hmac('proof'))
            return 200, reply, None
        if kind == 'offer':
            if body is None:
                raise bad_request('An offer needs a body: the UpdateOffer.')
            offer = offers.parse(body)
            sessions.check_not_rebooting()
            return 200, sessions.offer(client, offer), None
        if kind == 'session':
            if request.method == 'GET':
                return 200, sessions.status(client, request.sha256), None
            sessions.cancel(client, request.sha256)
            return 204, None, None
        if kind == 'commit':
            sessions.check_not_rebooting()
            return 200, sessions.commit(client, request.sha256), None
        if kind == 'reboot':
            return 202, self.boot.request('reboot'), None
        return await self._test_hook(request, body or {})

    async def _put(self, request):
        offset = _offset(request.query_values('offset'))
        if offset is None:
            raise bad_request('A chunk needs ?offset=N, the byte position where it belongs, in decimal digits (no sign, no leading zeros, at most 15 digits).')
        digest = request.header('content-digest')
        config = self.device.config
        if digest is None:
            self.sessions.check_not_rebooting()
            return await self.sessions.stream(request.login.client_id, request.sha256, offset, request.body)
        if request.body.length > config.chunk_size:
            raise Refusal('too-large', 'A chunk may hold at most %d bytes; this one has %d.' % (config.chunk_size, request.body.length), {'chunkSize': config.chunk_size})
        if request.body.length == 0:
            raise bad_request('The chunk is empty.')
        claimed = content_digest_sha256(digest)
        if claimed is None:
            raise bad_request('Each chunk needs a Content-Digest header with a sha-256 member: sha-256=:<44 base64 characters>:.')
        self.sessions.check_not_rebooting()
        return await self.sessions.chunk(request.login.client_id, request.sha256, offset, claimed, request.body)

    async def _test_hook(self, request, body):
        """Test hooks (docs/protocol.md §11), only when the agent was started with test_hooks."""
        name = request.path[len(API) + 6:]
        boot = self.boot
        if name == 'health-check':
            code = body.get('exitCode') if isinstance(body, dict) else None
            if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
                raise bad_request('health-check needs {"exitCode": 0..255}.')
            boot.hooks.set('healthExit', code)
            return 200, {'nextHealthCheckExit': code}, None
        if name == 'power-cut':
            boot.hooks.set('powerCut', True)
            return 200, {'powerCutDuringNextTestBoot': True}, None
        if name == 'restart':
            return 202, boot.request('restart'), None
        if name == 'expire-session':
            self.auth.expire_login(request.login)
            return 200, {'expired': True}, None
        if name == 'expire-challenges':
            self.auth.expire_challenges()
            return 200, {'expired': True}, None
        config = self.device.config
        before = {'holdIdleSeconds': config.hold_idle_s, 'holdTotalSeconds': config.hold_total_s}
        for field, attr in (('holdIdleSeconds', 'hold_idle_s'), ('holdTotalSeconds', 'hold_total_s')):
            value = body.get(field) if isinstance(body, dict) else None
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 86400:
                raise bad_request('timeouts: %s must be a number of seconds from 0 to 86400.' % field)
            setattr(config, attr, value)
        return 200, before, None
