# The offer (docs/protocol.md §4.1): read into typed values, then checked in the document's order; the first check
# that fails is the refusal. What an ESP app image says about itself is read at commit (image_facts).
from fieldflash import semver
from fieldflash.errors import Refusal, bad_request
from fieldflash.fields import Fields

KINDS = ('firmware', 'source-tree')
MAX_SEQUENCE = 0xFFFFFFFF
MAX_SECURITY_VERSION = 255
CHIP_IDS = {0: 'ESP32', 2: 'ESP32-S2', 5: 'ESP32-C3', 9: 'ESP32-S3', 12: 'ESP32-C2', 13: 'ESP32-C6', 16: 'ESP32-H2'}


def parse(json):
    f = Fields(json, 'UpdateOffer')
    offer = {
        'sha256': f.sha256('sha256'), 'size': f.int('size', 1), 'version': f.version('version'),
        'product': f.optional('product', f.string, 128), 'sequence': f.optional('sequence', f.int, 0, MAX_SEQUENCE),
        'securityVersion': f.optional('securityVersion', f.int, 0, MAX_SECURITY_VERSION),
        'chipFamily': f.string('chipFamily', 128), 'board': f.optional('board', f.string, 128),
        'hardwareRevision': f.optional('hardwareRevision', f.string, 128), 'force': f.optional('force', f.bool) or False,
        'images': None, 'kind': 'firmware', 'runtime': None, 'release': json.get('release'), 'signed': None, 'tree': None,
    }
    if f.has('kind'):
        kind = f.string('kind', 32)
        if kind not in KINDS:
            raise bad_request('UpdateOffer.kind: expected %s, not %s.' % (' or '.join(KINDS), kind))
        offer['kind'] = kind
    if f.has('runtime'):
        g = Fields(json['runtime'], 'UpdateOffer.runtime')
        offer['runtime'] = {'name': g.string('name', 32), 'minVersion': g.optional('minVersion', g.version)}
    if f.has('images'):
        images = json['images']
        if not isinstance(images, list) or not 1 <= len(images) <= 8:
            raise bad_request('UpdateOffer.images: expected a list of 1 to 8 slot images.')
        offer['images'] = []
        for i, item in enumerate(images):
            g = Fields(item, 'UpdateOffer.images[%d]' % i)
            offer['images'].append({'slot': g.string('slot', 32), 'sha256': g.sha256('sha256'), 'size': g.int('size', 1)})
    return offer


def _same(a, b):
    return a.strip().lower() == b.strip().lower()


def _differs(code, what, offered, own):
    return Refusal(code, 'The image is built for %s %s; this device is %s.' % (what, offered, own), {'device': own, 'image': offered})


def check_security(device_version, image_version):
    if image_version < device_version:
        raise Refusal('security-version-too-low', 'The image has security version %d; this device accepts %d or higher, even with force.' % (image_version, device_version),
                      {'device': device_version, 'image': image_version})


def check(device, offer):
    """The image the device will receive (with `images`, the one for its inactive slot)."""
    config = device.config
    if not _same(offer['chipFamily'], config.chip_family):
        raise _differs('incompatible-chip', 'the chip', offer['chipFamily'], config.chip_family)
    if offer['board'] is not None and not _same(offer['board'], config.board):
        raise _differs('incompatible-board', 'the board', offer['board'], config.board)
    if offer['hardwareRevision'] is not None and not _same(offer['hardwareRevision'], config.hardware_revision):
        raise _differs('incompatible-hardware', 'hardware revision', offer['hardwareRevision'], config.hardware_revision)
    if offer['product'] is not None and not _same(offer['product'], config.product):
        raise Refusal('incompatible-product', 'The image is a release of %s; this device runs %s.' % (offer['product'], config.product),
                      {'device': config.product, 'image': offer['product']})
    target = {'sha256': offer['sha256'], 'size': offer['size']}
    if offer['kind'] == 'source-tree':
        capacity = _check_tree(device, offer)
    else:
        capacity = device.max_image_size
    if offer['images'] is not None:
        slot = device.slots.inactive_slot()
        found = [i for i in offer['images'] if i['slot'] == slot]
        if not found:
            raise bad_request('The offer links images for slots %s, but this device writes slot %s.' % (', '.join(i['slot'] for i in offer['images']), slot))
        target = {'sha256': found[0]['sha256'], 'size': found[0]['size']}
    if device.trust is not None:
        # Signed releases (§4.9): after the compatibility checks, before the counters, which then are the signed ones.
        from fieldflash import release
        offer['tree'] = release.check(device, offer, target)
    if target['size'] > capacity:
        what = 'The source-tree payload is %d bytes; the filesystem has room for %d.' if offer['kind'] == 'source-tree' else 'The image is %d bytes; this device holds at most %d.'
        raise Refusal('too-large', what % (target['size'], capacity), {'maxImageSize': capacity})
    check_security(device.journal.security_version, offer['securityVersion'] or 0)
    active = device.journal.current_image
    if offer['sequence'] is not None and offer['sequence'] < active['sequence']:
        raise Refusal('sequence-too-low', 'The image has sequence %d; this device runs sequence %d and never goes back.' % (offer['sequence'], active['sequence']),
                      {'device': active['sequence'], 'image': offer['sequence']})
    if not offer['force'] and semver.compare(offer['version'], active['version']) < 0:
        raise Refusal('downgrade', 'The device runs %s; %s is older. Send with force to downgrade.' % (active['version'], offer['version']),
                      {'device': active['version'], 'image': offer['version']})
    return target


def _check_tree(device, offer):
    """A source tree's own checks (§4.8): the device takes trees, runs the runtime named, at or above its minimum."""
    tree = device.tree
    if tree is None:
        raise bad_request('This device takes firmware images only; it has no source tree to update.')
    if offer['images'] is not None:
        raise bad_request('A source-tree offer links no slot images.')
    runtime = offer['runtime']
    if runtime is not None:
        from fieldflash.device import runtime_version
        own = runtime_version()
        if runtime['name'].lower() != 'micropython':
            raise Refusal('incompatible-runtime', 'The source tree runs on %s; this device runs MicroPython.' % runtime['name'], {'device': 'micropython', 'image': runtime['name']})
        if runtime['minVersion'] is not None and semver.compare(own, runtime['minVersion']) < 0:
            raise Refusal('incompatible-runtime', 'The source tree needs MicroPython %s or later; this device runs %s. Update MicroPython on it first.' % (runtime['minVersion'], own),
                          {'device': own, 'image': runtime['minVersion']})
    return tree.capacity()


def image_facts(head):
    """(chip family, secure_version) from the first 256 bytes of an ESP app image, or None for other images (§4.7)."""
    if len(head) < 88 or head[0] != 0xE9 or int.from_bytes(head[32:36], 'little') != 0xABCD5432:
        return None
    chip = int.from_bytes(head[12:14], 'little')
    return CHIP_IDS.get(chip, 'chip id %d' % chip), int.from_bytes(head[36:40], 'little')


def check_image(device, facts, offered_security, source='offer'):
    """At commit: the image must not contradict its offer (or its signed manifest, `source`). Returns (security
    version, where it came from)."""
    if facts is None:
        return (offered_security or 0), source
    chip, secure = facts
    own = device.config.chip_family
    if not _same(chip, own):
        raise Refusal('image-mismatch', "The offer said the image is for %s, but its header says %s; the upload was discarded." % (own, chip),
                      {'field': 'chipFamily', 'offered': own, 'image': chip})
    if offered_security is not None and offered_security != secure:
        raise Refusal('image-mismatch', "The %s said security version %d, but the image's app descriptor says %d; the upload was discarded." % ('signed manifest' if source == 'signed-manifest' else 'offer', offered_security, secure),
                      {'field': 'securityVersion', 'offered': offered_security, 'image': secure})
    check_security(device.journal.security_version, secure)
    return secure, 'image'
