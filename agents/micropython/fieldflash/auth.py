# Pairing and logins (docs/protocol.md §3): challenges bound to their requester and single-use, a per-requester
# guess limit counted before each proof is checked, and logins whose session key signs every request. Sized for
# a small board: fewer open challenges and logins than the reference agent keeps, still above the protocol's floor.
import time

from fieldflash import clock
from fieldflash.crypto import b64, hex, hmac_sha256, random_bytes, same, unhex
from fieldflash.errors import Refusal

CHALLENGES_PER_REQUESTER = 8
CHALLENGES_PER_ADDRESS = 16
CHALLENGES_IN_ALL = 32
GUESS_BURST = 5
GUESS_REFILL_MS = 2000
GUESS_BUCKETS = 32
LOGINS_PER_CLIENT = 2
LOGINS_IN_ALL = 8
REPLAY_WINDOW = 64


class Challenge:
    __slots__ = ('id', 'nonce', 'requester', 'address', 'deadline', 'seq')


class Login:
    __slots__ = ('session_id', 'client_id', 'key', 'deadline', 'highest', 'seen', 'seq')


def _oldest(items):
    # MicroPython's dicts do not keep insertion order: the oldest is the one issued first.
    return min(items, key=lambda item: item.seq)


def _text(prefix, challenge_id, nonce, client_id, client_nonce):
    return '%s|%s|%s|%s|%s' % (prefix, challenge_id, nonce, client_id, client_nonce)


def parse_authorization(header):
    """(session, counter, mac) of a FieldFlash-HMAC header, or a string saying why it is not one (§3.3)."""
    if not header:
        return 'no Authorization header'
    space = header.find(' ')
    if space < 0 or header[:space].lower() != 'fieldflash-hmac':
        return 'the Authorization scheme is not FieldFlash-HMAC'
    params = {}
    for part in header[space + 1:].split(','):
        part = part.strip()
        eq = part.find('=')
        name, value = part[:eq], part[eq + 1:]
        if eq < 1 or len(value) < 2 or value[0] != '"' or value[-1] != '"' or '"' in value[1:-1] or name in params:
            return '"%s" is not one name="value" parameter' % part[:40]
        params[name] = value[1:-1]
    session, counter, mac = params.get('session'), params.get('counter'), params.get('mac')
    if len(params) != 3 or session is None or counter is None or mac is None:
        return 'it needs exactly session, counter and mac'
    if not 16 <= len(session) <= 64 or not all(c.isalpha() or c.isdigit() or c in '-_' for c in session):
        return 'session is not a session id'
    if not counter.isdigit() or len(counter) > 16 or (len(counter) > 1 and counter[0] == '0') or int(counter) > (1 << 53) - 1:
        return 'counter is not a whole number from 0 to 2^53 - 1'
    if len(mac) != 64 or any(c not in '0123456789abcdef' for c in mac):
        return 'mac is not 64 lower-case hex digits'
    return session, int(counter), mac


class Authenticator:
    def __init__(self, pairing, config):
        self.pairing = pairing  # {'salt', 'iterations', 'key'}
        self.config = config
        self.challenges = {}  # id -> Challenge
        self.guesses = {}  # requester -> [tokens, since]
        self.logins = {}  # session id -> Login
        self.issued = 0

    # --- challenges (§3.2) -------------------------------------------------
    def challenge(self, address, client_id):
        self._sweep_challenges()
        requester = address + '|' + client_id
        own = [c for c in self.challenges.values() if c.requester == requester]
        if len(own) >= CHALLENGES_PER_REQUESTER:
            del self.challenges[_oldest(own).id]
        else:
            from_address = [c for c in self.challenges.values() if c.address == address]
            full = len(self.challenges) >= CHALLENGES_IN_ALL
            if full or len(from_address) >= CHALLENGES_PER_ADDRESS:
                oldest = _oldest(self.challenges.values() if full else from_address)
                wait = max(1, (clock.left_ms(oldest.deadline) + 999) // 1000)
                raise Refusal('rate-limited', 'Too many open challenges from this network address. Try again in %d s.' % wait, {'retryAfterSeconds': wait})
        c = Challenge()
        c.id = 'c-' + hex(random_bytes(12))
        c.nonce = b64(random_bytes(16))
        c.requester = requester
        c.address = address
        c.deadline = clock.after(self.config.challenge_ttl * 1000)
        self.issued += 1
        c.seq = self.issued
        self.challenges[c.id] = c
        return {'challengeId': c.id, 'nonce': c.nonce, 'salt': self.pairing['salt'],
                'kdf': {'name': 'PBKDF2-SHA256', 'iterations': self.pairing['iterations']}, 'expiresIn': self.config.challenge_ttl}

    def respond(self, address, challenge_id, client_id, client_nonce, proof):
        requester = address + '|' + client_id
        c = self.challenges.get(challenge_id)
        if c is None or c.requester != requester or clock.passed(c.deadline):
            raise Refusal('replayed', 'This challenge is unknown, already answered, lapsed, or was issued to another client. Ask the device for a new one.')
        # Counted and used up before the proof is checked, with no await in between (§3.2).
        wait = self._take_guess(requester)
        if wait:
            raise Refusal('rate-limited', 'Too many wrong proofs from this client. Try again in %d s.' % wait, {'retryAfterSeconds': wait})
        del self.challenges[challenge_id]
        key = self.pairing['key']
        if not same(hex(hmac_sha256(key, _text('fieldflash-v1 client', challenge_id, c.nonce, client_id, client_nonce))), proof):
            raise Refusal('bad-proof', 'The proof is wrong. Check the pairing code and try again.')
        self.guesses.pop(requester, None)
        login = self._create_login(client_id, hmac_sha256(key, 'fieldflash-v1 session|%s|%s' % (challenge_id, client_nonce)))
        device_proof = hex(hmac_sha256(key, _text('fieldflash-v1 device', challenge_id, c.nonce, client_id, client_nonce)))
        return {'sessionId': login.session_id, 'expiresIn': self.config.session_ttl, 'deviceProof': device_proof}

    def _sweep_challenges(self):
        for c in [c for c in self.challenges.values() if clock.passed(c.deadline)]:
            del self.challenges[c.id]

    # --- guess limit (§3.4): a token bucket of 5, one more every 2 s ------
    def _take_guess(self, requester):
        now = clock.now()
        bucket = self.guesses.pop(requester, None) or [GUESS_BURST, now]
        gained = clock.since_ms(bucket[1]) // GUESS_REFILL_MS
        if gained > 0:
            bucket[0] = min(GUESS_BURST, bucket[0] + gained)
            bucket[1] = now if bucket[0] == GUESS_BURST else time.ticks_add(bucket[1], gained * GUESS_REFILL_MS)
        self.guesses[requester] = bucket
        if len(self.guesses) > GUESS_BUCKETS:
            del self.guesses[next(iter(self.guesses))]
        if bucket[0] < 1:
            return max(1, (GUESS_REFILL_MS - clock.since_ms(bucket[1]) + 999) // 1000)
        bucket[0] -= 1
        return 0

    # --- logins and signed requests (§3.3) ---------------------------------
    def _create_login(self, client_id, session_key):
        for sid in [s for s, l in self.logins.items() if clock.passed(l.deadline)]:
            del self.logins[sid]
        own = [l for l in self.logins.values() if l.client_id == client_id]
        if len(own) >= LOGINS_PER_CLIENT:
            del self.logins[_oldest(own).session_id]
        if len(self.logins) >= LOGINS_IN_ALL:
            del self.logins[_oldest(self.logins.values()).session_id]
        login = Login()
        login.session_id = b64(random_bytes(18)).replace('+', '-').replace('/', '_')
        login.client_id = client_id
        login.key = session_key
        login.deadline = clock.after(self.config.session_ttl * 1000)
        login.highest = -1
        login.seen = 0  # bit i set: counter highest - i was used
        self.issued += 1
        login.seq = self.issued
        self.logins[login.session_id] = login
        return login

    def verify(self, authorization, client_id, method, target, digest):
        """The login that signed a request, from its head alone; uses up its counter."""
        parsed = parse_authorization(authorization)
        if isinstance(parsed, str):
            raise Refusal('unauthenticated', 'This request needs a login: %s. Authenticate with the pairing code, then sign each request (Authorization: FieldFlash-HMAC ...).' % parsed)
        session_id, counter, mac = parsed
        login = self.logins.get(session_id)
        if login is None:
            raise Refusal('unauthenticated', 'The device does not know this session (it may have restarted). Authenticate again.')
        if client_id is not None and client_id != login.client_id:
            raise Refusal('unauthenticated', 'This session belongs to another client (FieldFlash-Client does not match). Authenticate again.')
        expected = hmac_sha256(login.key, 'fieldflash-v1 request|%s|%s|%s|%d' % (method, target, digest, counter))
        if not same(expected, unhex(mac)):
            raise Refusal('bad-mac', "The request's MAC does not match its method, path, query and Content-Digest: it was altered, or signed with another session key.")
        if clock.passed(login.deadline):
            raise Refusal('session-expired', 'The login has expired. Authenticate again to continue.')
        if counter > login.highest:
            shift = counter - login.highest
            login.seen = ((login.seen << shift) | 1) & ((1 << REPLAY_WINDOW) - 1) if shift < REPLAY_WINDOW else 1
            login.highest = counter
        else:
            back = login.highest - counter
            if back >= REPLAY_WINDOW or login.seen & (1 << back):
                raise Refusal('replayed', "This request's counter (%d) was used before or is too old; a request is accepted once. Sign it again with a new counter." % counter)
            login.seen |= 1 << back
        return login

    # --- test hooks and restarts -------------------------------------------
    def expire_login(self, login):
        login.deadline = clock.now()

    def expire_challenges(self):
        for c in self.challenges.values():
            c.deadline = clock.now()
