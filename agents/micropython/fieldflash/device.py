# The device as the protocol sees it: identity, limits, slots and the document that describes them (§2).
import sys

import machine

from fieldflash import store, trust
from fieldflash.crypto import hex
from fieldflash.journal import Journal
from fieldflash.updates.firmware import BLOCK, FirmwareSlots
from fieldflash.uploads import UploadStore

AGENT_VERSION = '0.1.0'


class Buffers:
    """Flash-block buffers for the requests in flight: allocated once, so uploads do not churn the heap."""

    def __init__(self, count):
        self.free = [bytearray(BLOCK) for _ in range(count)]

    def take(self):
        return self.free.pop() if self.free else bytearray(BLOCK)

    def give(self, buf):
        self.free.append(buf)


class Device:
    def __init__(self, config, log):
        self.config = config
        self.log = log
        store.ensure_dir(config.state_dir)
        self.id = 'ff-' + hex(machine.unique_id())
        self.host_names = set(['localhost', self.id + '.local'] + [n.lower().rstrip('.') for n in config.host_names])
        self.slots = FirmwareSlots()
        self.tree = None
        if config.tree_dir:
            from fieldflash.updates.source_tree import SourceTree
            self.tree = SourceTree(config)
        self.buffers = Buffers(config.window)
        # The publisher keys it trusts: with any, it installs only releases they signed (docs/protocol.md §4.9).
        self.trust = trust.load(config.state_dir)
        if self.trust is not None:
            log('trusts release keys %s: installs signed releases only' % ', '.join(sorted(self.trust)))
        self.journal = Journal(config.state_dir)
        if not self.journal.exists:
            running = self.slots.running_slot()
            self.journal.create(running, self.describe_running())
            log('new device: the running image %s in slot %s' % (config.version, running))
        self.uploads = UploadStore(config.state_dir)
        self.max_image_size = self.slots.capacity()
        self.boot = None

    def describe_running(self):
        """The running image as the journal records it: the factory settings, and the SHA-256 of its bytes."""
        config = self.config
        slot = self.slots.running_slot()
        buf = self.buffers.take()
        try:
            size = self.slots.image_size(slot, buf) or self.slots.partition(slot).info()[3]
            sha256 = self.slots.digest(slot, size, buf)
        finally:
            self.buffers.give(buf)
        return {'sha256': sha256, 'size': size, 'version': config.version, 'sequence': config.sequence,
                'securityVersion': config.security_version, 'counterSources': {'sequence': 'factory', 'securityVersion': 'factory'}}

    def restart_now(self):
        """A restart the agent chose: what was written is recorded first."""
        self.uploads.record(True)
        machine.reset()

    def counter_sources(self):
        journal = self.journal
        active = journal.current_image
        own = active.get('counterSources') or {'sequence': 'offer', 'securityVersion': 'offer'}
        floor = journal.state['securityFloor'] > active['securityVersion']
        return {'sequence': own['sequence'], 'securityVersion': journal.state.get('securityFloorSource', 'offer') if floor else own['securityVersion']}

    def document(self):
        config = self.config
        journal = self.journal
        active = journal.current_image
        slots = []
        for name in ('a', 'b'):
            record = journal.slot(name)
            if record['state'] == 'empty':
                slots.append({'name': name, 'state': 'empty'})
            else:
                slots.append({'name': name, 'state': record['state'], 'version': record['version'], 'sha256': record['sha256'], 'size': record['size']})
        capabilities = ['http', 'resume', 'pipeline', 'slot-images']
        if self.tree is not None:
            capabilities.append('source-tree')
        if self.trust is not None:
            capabilities.append('signed-releases')
        if config.test_hooks:
            capabilities.append('test-hooks')
        doc = {
            'id': self.id, 'product': config.product, 'chipFamily': config.chip_family, 'board': config.board,
            'hardwareRevision': config.hardware_revision, 'version': active['version'], 'sequence': active['sequence'],
            'securityVersion': journal.security_version, 'counterSources': self.counter_sources(), 'agentVersion': AGENT_VERSION,
            'protocol': {'versions': [1]}, 'capabilities': capabilities, 'maxImageSize': self.max_image_size,
            'chunk': {'size': config.chunk_size, 'window': config.window}, 'maxConnections': config.max_connections, 'slots': slots,
        }
        if self.trust is not None:
            doc['trust'] = {'keyIds': sorted(self.trust)}
        if journal.last_update is not None:
            doc['lastUpdate'] = dict(journal.last_update)
        if self.tree is not None:
            doc['runtime'] = {'name': 'micropython', 'version': runtime_version()}
        return doc


def runtime_version():
    """MicroPython's version as SemVer: (1, 27, 0, '') is 1.27.0; a preview build keeps its tag (1.28.0-preview)."""
    v = sys.implementation.version
    text = '%d.%d.%d' % (v[0], v[1], v[2])
    return text + '-' + v[3] if len(v) > 3 and v[3] else text
