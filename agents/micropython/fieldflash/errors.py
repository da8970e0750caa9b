# A refusal the agent answers with: a stable protocol code, its HTTP status and a sentence for people
# (docs/protocol.md §6).

STATUS = {
    'unauthenticated': 401, 'session-expired': 401, 'bad-mac': 401, 'replayed': 401, 'bad-proof': 401,
    'rate-limited': 429, 'incompatible-chip': 409, 'incompatible-board': 409, 'incompatible-hardware': 409,
    'incompatible-product': 409, 'incompatible-runtime': 409, 'image-mismatch': 422, 'downgrade': 409, 'sequence-too-low': 409,
    'security-version-too-low': 409, 'too-large': 413, 'digest-mismatch': 422, 'chunk-corrupt': 400,
    'offset-mismatch': 409, 'busy': 409, 'unknown-session': 404, 'nothing-to-commit': 409, 'not-pending': 409,
    'unsupported-protocol': 400, 'install-failed': 422, 'bad-request': 400, 'unknown-host': 421,
    'too-many-connections': 503, 'timeout': 408, 'signature-required': 403, 'untrusted-key': 403, 'bad-signature': 422,
    'unsupported-manifest': 422, 'not-in-release': 422,
}


class Refusal(Exception):
    def __init__(self, code, message, details=None, status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.status = status or STATUS.get(code, 400)
        self.headers = {}

    def body(self):
        error = dict(self.details)
        error['code'] = self.code
        error['message'] = self.message
        return {'error': error}


def bad_request(message, status=400):
    return Refusal('bad-request', message, None, status)
