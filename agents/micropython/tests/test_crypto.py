# docs/protocol.md Appendix: the test vectors, computed by the agent's own HMAC and PBKDF2 on hashlib.sha256.
import hashlib
import json

from fieldflash import pairing
from fieldflash.auth import _text
from fieldflash.crypto import content_digest_sha256, hex, hmac_sha256, pbkdf2_sha256, unb64, unhex

V = json.load(open('/tests/vectors.json'))


def _key():
    return unhex(V['key'])


def test_pbkdf2_key_from_the_secret():
    assert hex(pbkdf2_sha256(V['secret'].encode(), unb64(V['salt']), V['iterations'])) == V['key']


def test_proofs_and_session_key():
    args = (V['challengeId'], V['nonce'], V['clientId'], V['clientNonce'])
    assert hex(hmac_sha256(_key(), _text('fieldflash-v1 client', *args))) == V['proof']
    assert hex(hmac_sha256(_key(), _text('fieldflash-v1 device', *args))) == V['deviceProof']
    assert hex(hmac_sha256(_key(), 'fieldflash-v1 session|%s|%s' % (V['challengeId'], V['clientNonce']))) == V['sessionKey']


def test_request_macs():
    session = unhex(V['sessionKey'])
    for r in V['requests']:
        text = 'fieldflash-v1 request|%s|%s|%s|%d' % (r['method'], r['target'], r['digest'], r['counter'])
        assert hex(hmac_sha256(session, text)) == r['mac'], r['target']


def test_content_digest_of_a_chunk():
    assert content_digest_sha256(V['chunkDigest']) == hashlib.sha256(bytes([0xAB]) * 65536).digest()
    assert content_digest_sha256('sha-512=:AAAA:, ' + V['chunkDigest']) == hashlib.sha256(bytes([0xAB]) * 65536).digest()
    assert content_digest_sha256('sha-256=:short=:') is None


def test_pairing_code_as_typed():
    assert pairing.normalize(V['pairingCodeTyped']) == V['pairingCode']
    assert pairing.normalize('correct horse') == 'correct horse'
