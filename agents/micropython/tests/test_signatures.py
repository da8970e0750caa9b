# Signature verification in the interpreter (fieldflash/ed25519.py, p256.py, sha512.py, trust.py): RFC 8032's test
# vectors, and keys and signatures WebCrypto made in Node (/tests/signatures.json, written by
# test/integration/micropython-unit.test.ts), each verified, then changed in every way that must fail.
import json

from fieldflash import ed25519, p256, sha512, trust
from fieldflash.crypto import hex, unb64, unhex

W = json.load(open('/tests/signatures.json'))

# RFC 8032 §7.1, TEST 1, 2 and 3: (public key, message, signature).
RFC8032 = (
    ('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
     'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
    ('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
     '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'),
    ('fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82',
     '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'),
)


def _flip(data, at):
    changed = bytearray(data)
    changed[at] ^= 1
    return bytes(changed)


def _vectors(algorithm):
    return [v for v in W['vectors'] if v['algorithm'] == algorithm]


def _key(v):
    return trust.parse(v['keyFile'])


def test_sha512_in_pure_python():
    sha512._native = None  # this port's hashlib has no sha512; a board's would be used instead
    assert hex(sha512.sha512(b'')) == 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'
    assert hex(sha512.sha512(b'abc')) == 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'
    two_blocks = b'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'
    assert hex(sha512.sha512(two_blocks)) == '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909'
    # The same bytes in pieces that straddle the 128-byte blocks.
    assert sha512.sha512(two_blocks[:5], memoryview(two_blocks)[5:100], two_blocks[100:]) == sha512.sha512(two_blocks)


def test_ed25519_rfc8032_vectors():
    for key, message, signature in RFC8032:
        key, message, signature = unhex(key), unhex(message), unhex(signature)
        assert ed25519.verify(key, message, signature)
        assert not ed25519.verify(key, message + b'!', signature)
        assert not ed25519.verify(key, message, _flip(signature, 3))
        assert not ed25519.verify(key, message, _flip(signature, 40))
    assert not ed25519.verify(unhex(RFC8032[1][0]), unhex(RFC8032[0][1]), unhex(RFC8032[0][2]))


def test_ed25519_malformed_inputs_verify_nothing():
    key, message, signature = (unhex(x) for x in RFC8032[0])
    s = int.from_bytes(signature[32:], 'little')
    # S + L is the same scalar mod L, but RFC 8032 refuses S >= L (signature malleability).
    assert not ed25519.verify(key, message, signature[:32] + (s + ed25519.L).to_bytes(32, 'little'))
    assert not ed25519.verify(key, message, signature[:63])
    assert not ed25519.verify(key, message, signature + b'\x00')
    assert not ed25519.verify(key[:31], message, signature)
    assert not ed25519.verify(b'\xff' * 31 + b'\x7f', message, signature)  # y >= p: no point
    assert not ed25519.verify(bytes(32), message, bytes(64))
    assert not ed25519.verify(b'', b'', b'')


def test_webcrypto_signatures_verify_and_changes_fail():
    for v in W['vectors']:
        key = _key(v)
        scheme = ed25519 if v['algorithm'] == 'ed25519' else p256
        message, signature = unb64(v['message']), unb64(v['signature'])
        assert key.key_id == v['keyId'] and key.algorithm == v['algorithm'], v['keyId']
        assert scheme.verify(key.raw, message, signature), v['algorithm']
        assert not scheme.verify(key.raw, _flip(message, 10), signature), v['algorithm']
        assert not scheme.verify(key.raw, message + b' ', signature), v['algorithm']
        for at in (0, 31, 32, 63):
            assert not scheme.verify(key.raw, message, _flip(signature, at)), (v['algorithm'], at)
        other = [o for o in _vectors(v['algorithm']) if o['keyId'] != v['keyId']][0]
        assert not scheme.verify(_key(other).raw, message, signature), v['algorithm']


def test_p256_malformed_inputs_verify_nothing():
    v = _vectors('ecdsa-p256')[0]
    key, message, signature = _key(v).raw, unb64(v['message']), unb64(v['signature'])
    n = p256.N.to_bytes(32, 'big')
    assert not p256.verify(key, message, bytes(32) + signature[32:])  # r = 0
    assert not p256.verify(key, message, signature[:32] + bytes(32))  # s = 0
    assert not p256.verify(key, message, n + signature[32:])  # r = n
    assert not p256.verify(key, message, signature[:32] + n)  # s = n
    assert not p256.verify(key, message, signature[:63])
    assert not p256.verify(_flip(key, 64), message, signature)  # not on the curve
    assert not p256.verify(b'\x02' + key[1:33], message, signature)  # compressed points are not taken
    assert not p256.verify(b'\x04' + bytes(64), message, signature)
    assert not p256.verify(b'', b'', b'')


def test_key_files_as_the_release_cli_and_pem_write_them():
    for v in W['vectors']:
        from_json = trust.parse(v['keyFile'])
        from_pem = trust.parse(v['pem'])
        assert from_json.key_id == from_pem.key_id == v['keyId']
        assert from_json.raw == from_pem.raw
        assert from_json.name == 'publisher'


def _refused(text, words):
    try:
        trust.parse(text)
    except trust.KeyFileError as error:
        assert words in str(error), str(error)
        return
    raise AssertionError('accepted: %s' % text[:40])


def test_key_files_that_are_refused():
    v = W['vectors'][0]
    file = json.loads(v['keyFile'])
    _refused('-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----', 'BEGIN PUBLIC KEY')
    _refused('hello', 'neither a PEM')
    _refused('{"format": "other"}', 'not a FieldFlash public key file')
    _refused(json.dumps(dict(file, keyId='0000000000000000')), 'names key 0000000000000000')
    _refused(json.dumps(dict(file, algorithm='ecdsa-p256' if file['algorithm'] == 'ed25519' else 'ed25519')), 'says')
    _refused(json.dumps(dict(file, publicKey='AAAA')), 'not an Ed25519 or ECDSA P-256 public key')
    _refused(json.dumps(dict(file, publicKey='@@@@')), 'not base64')


def test_verify_logs_how_long_it_took():
    lines = []
    for v in W['vectors'][:1] + _vectors('ecdsa-p256')[:1]:
        key = _key(v)
        assert trust.verify(key, unb64(v['message']), unb64(v['signature']), lines.append)
        assert not trust.verify(key, unb64(v['message']) + b'x', unb64(v['signature']), lines.append)
    assert lines[0].startswith('signature verified in ') and ' ms (' in lines[0], lines[0]
    assert lines[1].startswith('signature did not verify in '), lines[1]
