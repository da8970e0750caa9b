# The replay window of signed requests (docs/protocol.md §3.3): each counter once, above the highest - 64.
from fieldflash.agent import Config
from fieldflash.auth import Authenticator
from fieldflash.crypto import hex, hmac_sha256
from fieldflash.errors import Refusal

KEY = b'\x01' * 32


def _login():
    auth = Authenticator({'salt': 'c2FsdHNhbHRzYWx0c2FsdA==', 'iterations': 1, 'key': KEY}, Config())
    return auth, auth._create_login('unit', b'\x02' * 32)


def _verify(auth, login, counter):
    mac = hex(hmac_sha256(login.key, 'fieldflash-v1 request|GET|/fieldflash/v1/tree||%d' % counter))
    header = 'FieldFlash-HMAC session="%s", counter="%d", mac="%s"' % (login.session_id, counter, mac)
    try:
        auth.verify(header, 'unit', 'GET', '/fieldflash/v1/tree', '', )
        return 'ok'
    except Refusal as refusal:
        return refusal.code


def test_each_counter_once_in_any_order():
    auth, login = _login()
    assert [_verify(auth, login, c) for c in (5, 3, 9, 3, 5, 4, 9)] == ['ok', 'ok', 'ok', 'replayed', 'replayed', 'ok', 'replayed']


def test_counters_below_the_window_are_refused():
    auth, login = _login()
    assert _verify(auth, login, 100) == 'ok'
    assert _verify(auth, login, 37) == 'ok'  # 100 - 63: the oldest still in the window
    assert _verify(auth, login, 36) == 'replayed'
    assert _verify(auth, login, 1000) == 'ok'  # a jump past the window forgets the others
    assert _verify(auth, login, 999) == 'ok'
    assert _verify(auth, login, 900) == 'replayed'


def test_a_wrong_mac_is_bad_mac_and_uses_no_counter():
    auth, login = _login()
    header = 'FieldFlash-HMAC session="%s", counter="7", mac="%s"' % (login.session_id, '0' * 64)
    try:
        auth.verify(header, 'unit', 'GET', '/fieldflash/v1/tree', '')
        assert False, 'accepted'
    except Refusal as refusal:
        assert refusal.code == 'bad-mac'
    assert _verify(auth, login, 7) == 'ok'
