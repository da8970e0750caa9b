# Wires the agent together: device, pairing key, logins, update sessions, boot, and the HTTP request handler.
#
#   import fieldflash
#   agent = fieldflash.Agent(product='demo-sensor', board='devkitc-v4', version='1.0.0')
#   agent.start()                     # settles the last restart; may restart the board to roll back
#   asyncio.create_task(agent.serve_forever(port=8070))   # server.py: the socket loop
#   agent.start_application()         # imports the source tree's entry module (/app/main.py), if there is one
#   ...once the application runs well:  fieldflash.confirm()
import asyncio
import sys

from fieldflash import pairing
from fieldflash.auth import Authenticator
from fieldflash.boot import Boot
from fieldflash.device import Device
from fieldflash.handler import Handler
from fieldflash.http import Server
from fieldflash.sessions import Sessions
from fieldflash.tasks import _log, spawn

_current = None


class Config:
    """What the board is and the limits it keeps; chosen to fit about 100 KiB of free heap."""

    def __init__(self, **values):
        self.product = 'demo-sensor'
        self.chip_family = 'ESP32'
        self.board = 'devkitc-v4'
        self.hardware_revision = '1.0'
        # The image the board runs when the agent first starts (later, the journal's).
        self.version = '1.0.0'
        self.sequence = 1
        self.security_version = 0
        self.state_dir = '/fieldflash'
        self.host_names = []
        # 16 KiB chunks, 4 in the window, 4 connections: at most 3 chunks in flight, each through one 4 KiB block.
        self.chunk_size = 16384
        self.window = 4
        self.max_connections = 4
        self.session_ttl = 300
        self.challenge_ttl = 30
        self.hold_idle_s = 30
        self.hold_total_s = 900
        self.confirm_within_s = 30
        # The application as a source tree (docs/protocol.md §4.8): its folder, and the files an update never touches.
        self.tree_dir = '/app'
        self.device_local = ['env.py']
        self.reboot_ms = 1500
        self.test_hooks = False
        for name, value in values.items():
            if not hasattr(self, name):
                raise TypeError('unknown agent setting %s' % name)
            setattr(self, name, value)


class Agent:
    def __init__(self, log=_log, **settings):
        global _current
        self.config = Config(**settings)
        self.log = log
        self.device = Device(self.config, log)
        key = pairing.stored(self.config.state_dir)
        if key is None:
            raise ValueError('the board is not paired: run fieldflash.pairing.pair(%r, SECRET) once' % self.config.state_dir)
        self.auth = Authenticator(key, self.config)
        self.sessions = Sessions(self.device)
        self.boot = Boot(self.device)
        self.device.boot = self.boot
        self.handler = Handler(self.device, self.auth, self.sessions, self.boot)
        self.server = Server(self.handler, self.config, log)
        _current = self

    def start(self):
        self.boot.start()
        spawn(self._record_progress(), self.log)

    async def serve(self, reader, writer):
        """One HTTP connection: what the socket loop calls for each one it accepts."""
        await self.server.serve(reader, writer)

    async def _record_progress(self):
        # Acknowledged bytes are in flash at once; their offset is recorded every 64 KiB and after a pause, so a
        # restart resumes near where the upload stopped (uploads.py).
        while True:
            await asyncio.sleep_ms(200)
            self.device.uploads.record(True)

    def confirm(self):
        self.boot.confirm()

    def start_application(self):
        """Imports the source tree's entry module; False when there is none. During a test boot, an entry module that
        raises while it starts fails the health check at once; later it calls fieldflash.confirm() once it runs well."""
        tree = self.device.tree
        if tree is None:
            return False
        # During a tree's test boot the tree in place is the staged one, whose entry it names.
        state = self.device.journal.tree
        record = state['staged'] if self.boot.trial == 'tree' else state['active']
        entry = (record or {}).get('entry') or 'main'
        if not tree.has_entry(entry):
            if self.boot.trial == 'tree':
                self.boot.failed('the source tree has no %s.py to start' % entry.replace('.', '/'))
            return False
        if tree.root not in sys.path:
            sys.path.insert(0, tree.root)
        try:
            __import__(entry)
        except Exception as error:  # the application's own failure, in one line for the rollback's reason
            self.boot.failed('%s.py raised %s: %s' % (entry.replace('.', '/'), type(error).__name__, error))
        return True


def current():
    return _current


def confirm():
    """Called by the application once it runs well: confirms a test boot in progress (nothing otherwise)."""
    if _current is not None:
        _current.confirm()
