# A signed release in an offer (docs/protocol.md §4.9): on a board that holds trusted keys, checked right after the
# compatibility checks of §4.1 and before the counters. The offer's `release` carries the manifest's exact bytes and
# its signature file; once the signature verifies, the facts come from the signed manifest and the offer may only
# repeat them: product, version, sequence and security version, and the image offered must be a file it lists.
import hashlib

from fieldflash import trust
from fieldflash.crypto import hex, is_b64_chars, unb64
from fieldflash.errors import Refusal, bad_request

NATIVE_FORMAT = 'fieldflash-release'
SIGNATURE_FORMAT = 'fieldflash-signature'
ALGORITHMS = ('ed25519', 'ecdsa-p256')
DEFAULT_DEVICE_LOCAL = ['env.py']
_HEX = '0123456789abcdef'


def _b64(text, what):
    if not isinstance(text, str) or len(text) % 4 or not is_b64_chars(text.rstrip('=')) or len(text) - len(text.rstrip('=')) > 2:
        raise bad_request('UpdateOffer.release.%s: expected base64 text.' % what)
    try:
        return unb64(text)
    except (ValueError, TypeError):
        raise bad_request('UpdateOffer.release.%s: expected base64 text.' % what)


def _signature(value):
    if not isinstance(value, dict) or value.get('format') != SIGNATURE_FORMAT:
        raise bad_request('UpdateOffer.release.signature: expected the signature file\'s JSON object ("format": "%s").' % SIGNATURE_FORMAT)
    algorithm = value.get('algorithm')
    if algorithm not in ALGORITHMS:
        raise bad_request('UpdateOffer.release.signature.algorithm: expected ed25519 or ecdsa-p256.')
    key_id = value.get('keyId')
    if not isinstance(key_id, str) or len(key_id) != 16 or any(c not in _HEX for c in key_id):
        raise bad_request('UpdateOffer.release.signature.keyId: expected 16 lower-case hex digits.')
    raw = _b64(value.get('signature'), 'signature.signature')
    if len(raw) != 64:
        raise bad_request('UpdateOffer.release.signature.signature: expected 64 bytes in base64, not %d.' % len(raw))
    return algorithm, key_id, raw


def normalize(path):
    """A manifest path as the bundle reader resolves it ("./app//main.py" is "app/main.py"), or None for one that climbs out."""
    if not isinstance(path, str):
        return None
    parts = [p for p in path.split('/') if p not in ('', '.')]
    return None if '..' in parts else '/'.join(parts)


def _unsupported(why):
    return Refusal('unsupported-manifest', 'The signed manifest %s; this device installs only FieldFlash releases (fieldflash.json, "format": "%s", formatVersion 1). Publish the release with a FieldFlash manifest and sign that.' % (why, NATIVE_FORMAT),
                   None, 422)


def _manifest(data):
    import json
    try:
        manifest = json.loads(bytes(data).decode())
    except (ValueError, UnicodeError):
        raise _unsupported('is not JSON')
    if not isinstance(manifest, dict) or manifest.get('format') != NATIVE_FORMAT or manifest.get('formatVersion') != 1:
        raise _unsupported('is not a FieldFlash manifest')
    for field, kind in (('product', str), ('version', str), ('sequence', int), ('securityVersion', int), ('files', list), ('targets', list)):
        if not isinstance(manifest.get(field), kind) or isinstance(manifest.get(field), bool):
            raise _unsupported('has no valid "%s"' % field)
    from fieldflash import semver
    if semver.parse(manifest['version']) is None or not 0 <= manifest['sequence'] <= 0xFFFFFFFF or not 0 <= manifest['securityVersion'] <= 255:
        raise _unsupported('has a version, sequence or securityVersion this device cannot compare')
    files = {}
    for entry in manifest['files']:
        path = normalize(entry.get('path')) if isinstance(entry, dict) else None
        if path and isinstance(entry.get('sha256'), str) and isinstance(entry.get('size'), int):
            files[path] = (entry['sha256'].lower(), entry['size'])
    manifest['files'] = files
    return manifest


def _not_in_release(what, details=None):
    return Refusal('not-in-release', '%s is not a file the signed release lists (by path, size and SHA-256): it was not published with this signature. Send the release as it was signed.' % what,
                   details, 422)


def _images_of(target):
    paths = []
    ota = target.get('ota')
    if isinstance(ota, dict):
        paths += [ota.get(k) for k in ('image', 'slot0', 'slot1')]
    flash = target.get('flash')
    if isinstance(flash, dict) and isinstance(flash.get('parts'), list):
        paths += [p.get('path') for p in flash['parts'] if isinstance(p, dict)]
    return [normalize(p) for p in paths if p is not None]


def _chip_check(targets, own):
    """The targets that fit this chip; 409 incompatible-chip when every target found names another chip."""
    fits = [t for t in targets if not isinstance(t.get('chipFamily'), str) or t['chipFamily'].strip().lower() == own.strip().lower()]
    if targets and not fits:
        chip = targets[0]['chipFamily']
        raise Refusal('incompatible-chip', 'The signed release builds this for the chip %s; this device is %s.' % (chip, own), {'device': own, 'image': chip})
    return fits


def _firmware(manifest, offer, target, own_chip):
    listed = manifest['files']
    wanted = [(target['sha256'], target['size'], 'The image offered')]
    for image in offer['images'] or ():
        wanted.append((image['sha256'], image['size'], 'The image for slot %s' % image['slot']))
    for sha256, size, what in wanted:
        path = None
        for candidate, (digest, length) in listed.items():
            if digest == sha256 and length == size:
                path = candidate
        if path is None:
            raise _not_in_release('%s (%s..., %d bytes)' % (what, sha256[:12], size), {'sha256': sha256})
        naming = [t for t in manifest['targets'] if isinstance(t, dict) and path in _images_of(t)]
        if not naming:
            raise _not_in_release('%s (%s) is listed, but no target installs it, so it' % (what, path), {'sha256': sha256})
        _chip_check(naming, own_chip)


def _tree(manifest, own_chip):
    """The signed tree a source-tree payload must build: {'files': {device path: (sha256, size)}, 'entry', 'deviceLocal'}."""
    trees = [t for t in manifest['targets'] if isinstance(t, dict) and isinstance(t.get('sourceTree'), dict)]
    if not trees:
        raise Refusal('not-in-release', 'The signed release has no source tree (no target with "sourceTree"), so a source-tree payload cannot come from it. Send the release as it was signed.', None, 422)
    tree = _chip_check(trees, own_chip)[0]['sourceTree']
    root = normalize(tree.get('root')) if tree.get('root') is not None else None
    if root is None:
        raise _unsupported('names no valid sourceTree.root')
    local = tree.get('deviceLocal', DEFAULT_DEVICE_LOCAL)
    files = {}
    for path, facts in manifest['files'].items():
        if root == '':
            files[path] = facts
        elif path.startswith(root + '/'):
            files[path[len(root) + 1:]] = facts
    return {'files': files, 'entry': tree.get('entry') or 'main', 'deviceLocal': [p for p in local if isinstance(p, str)] if isinstance(local, list) else []}


def _agrees(offer, field, signed):
    offered = offer[field]
    if offered is not None and offered != signed:
        raise Refusal('image-mismatch', 'The offer says %s %s, but the signed manifest says %s; nothing was received. Offer the release as it was signed.' % (field, offered, signed),
                      {'field': field, 'offered': offered, 'image': signed})


def check(device, offer, target):
    """Verifies the offer's release and puts the signed facts into the offer: offer['signed'] (what the session and the
    journal keep) and, for a source tree, the tree it must build (returned, for release_tree.py to store)."""
    keys = device.trust
    release = offer.get('release')
    if release is None:
        raise Refusal('signature-required', 'This device installs only signed releases, and the offer carries none (no "release" with the manifest and its signature). Sign the release with a key the device trusts (%s) and send it again.' % ', '.join(sorted(keys)),
                      {'keyIds': sorted(keys)}, 403)
    if not isinstance(release, dict):
        raise bad_request('UpdateOffer.release: expected an object with "manifest" and "signature".')
    algorithm, key_id, signature = _signature(release.get('signature'))
    data = _b64(release.get('manifest'), 'manifest')
    key = keys.get(key_id)
    if key is None or key.algorithm != algorithm:
        raise Refusal('untrusted-key', 'The release is signed with key %s (%s), which this device does not trust. Sign it with a key the device holds (%s), or give the device the public key.' % (key_id, algorithm, ', '.join(sorted(keys))),
                      {'keyId': key_id}, 403)
    if not trust.verify(key, data, signature, device.log):
        raise Refusal('bad-signature', 'The signature does not verify over the manifest: the manifest or its signature was changed after signing. Get the release again from its publisher.',
                      {'keyId': key_id}, 422)
    manifest_sha256 = hex(hashlib.sha256(data).digest())
    manifest = _manifest(data)
    del data
    config = device.config
    tree = None
    if offer['kind'] == 'source-tree':
        tree = _tree(manifest, config.chip_family)
    else:
        _firmware(manifest, offer, target, config.chip_family)
    _agrees(offer, 'product', manifest['product'])
    _agrees(offer, 'version', manifest['version'])
    _agrees(offer, 'sequence', manifest['sequence'])
    _agrees(offer, 'securityVersion', manifest['securityVersion'])
    if manifest['product'].strip().lower() != config.product.strip().lower():
        raise Refusal('incompatible-product', 'The signed release is of %s; this device runs %s.' % (manifest['product'], config.product),
                      {'device': config.product, 'image': manifest['product']})
    offer['product'] = manifest['product']
    offer['version'] = manifest['version']
    offer['sequence'] = manifest['sequence']
    offer['securityVersion'] = manifest['securityVersion']
    offer['signed'] = {'keyId': key_id, 'algorithm': algorithm, 'manifest': manifest_sha256}
    return tree
