# Boot, test boot, confirm and rollback (docs/protocol.md §5). For firmware, commit switched the boot partition, so
# every restart after it is the new image's test boot; for a source tree, every restart after commit swaps the staged
# tree in first (updates/tree_boot.py). On that boot the application has `confirm_within_s` seconds to call
# agent.confirm(); otherwise, or when it fails to start, the board goes back to the previous image or tree and the
# next boot records the rollback with its reason. A board whose bootloader has rollback enabled also goes back by
# itself when a new image never confirms (power lost, a crash); the agent reads what happened from the journal.
import asyncio

import machine

from fieldflash import store
from fieldflash.journal import other
from fieldflash.tasks import spawn

RESTARTED = 'the device restarted during the test boot, before the application confirmed the image'


class Hooks:
    """Test hooks that act at the next test boot, kept on flash since a reboot lies in between (§11)."""

    def __init__(self, state_dir):
        self.path = state_dir + '/hooks.json'
        self.values = store.read_json(self.path) or {}

    def set(self, name, value):
        self.values[name] = value
        store.write_json(self.path, self.values)

    def take(self, name):
        value = self.values.pop(name, None)
        if value is not None:
            store.write_json(self.path, self.values)
        return value


class Boot:
    def __init__(self, device):
        self.device = device
        self.hooks = Hooks(device.config.state_dir)
        self.deciding = False
        self.rebooting = False
        self.confirmed = asyncio.Event()
        self.trial = None  # 'firmware' or 'tree' while a test boot waits for its verdict
        self.trial_task = None
        self.tree_boot = None
        if device.tree is not None:
            from fieldflash.updates.tree_boot import TreeBoot
            self.tree_boot = TreeBoot(device)

    @property
    def busy(self):
        return self.deciding or self.rebooting

    def start(self):
        """At boot, before serving: settles what the last restart left, and begins a test boot if one is due."""
        if self._start_firmware():
            return
        if self.tree_boot is not None and self.tree_boot.start():
            self._begin_test_boot('tree', 'the source tree %s' % self.device.journal.tree['staged']['version'])

    def _start_firmware(self):
        """True when a firmware image's test boot began."""
        device = self.device
        journal = device.journal
        running = device.slots.running_slot()
        trial = journal.test_boot
        pending = journal.pending_slot()
        if trial is not None:
            if running == trial['slot']:
                # The image booted again without having confirmed: the board restarted during its test boot.
                self.trial = 'firmware'
                self._go_back(trial.get('reason') or RESTARTED)
            journal.roll_back(trial.get('reason') or RESTARTED)
            device.log('slot %s never confirmed: rolled back to slot %s' % (trial['slot'], trial['previous']))
        elif pending is not None and running == pending:
            journal.begin_test_boot(pending)
            self._begin_test_boot('firmware', 'slot %s (%s)' % (pending, journal.slot(pending)['version']))
            return True
        elif pending is not None:
            device.log('the bootloader did not boot the committed image in slot %s' % pending)
            journal.begin_test_boot(pending)
            journal.roll_back('the bootloader refused to boot the image')
        if running != journal.active:
            device.log('the board runs slot %s, not slot %s: adopting it' % (running, journal.active))
            journal.adopt(running, device.describe_running)
        # A bootloader with rollback enabled marks an image booted by set_boot() as on trial: the running image is
        # the confirmed one, so say so, or a later restart would go back to the other slot.
        device.slots.confirm()
        return False

    def _begin_test_boot(self, kind, what):
        device = self.device
        self.trial = kind
        device.log('started %s for its test boot' % what)
        if self.hooks.take('powerCut'):
            device.log('power lost during the test boot')
            machine.reset()
        code = self.hooks.take('healthExit')
        if code is not None and code != 0:
            self._go_back('health check exited with %d: failure requested through the test hook' % code)
        self.deciding = True
        self.trial_task = spawn(self._await_confirm(), self.device.log)

    async def _await_confirm(self):
        seconds = self.device.config.confirm_within_s
        try:
            await asyncio.wait_for_ms(self.confirmed.wait(), seconds * 1000)
        except asyncio.TimeoutError:
            self._go_back('the application did not call agent.confirm() within %d s of the test boot' % seconds)
            return
        if self.trial == 'tree':
            self.tree_boot.confirm()
        else:
            journal = self.device.journal
            self.device.slots.confirm()
            journal.confirm_test_boot()
            self.device.log('%s confirmed: slot %s is active' % (journal.active_image['version'], journal.active))
        self.trial = None
        self.deciding = False

    def confirm(self):
        """The application is healthy: a test boot in progress is confirmed; otherwise nothing happens."""
        self.confirmed.set()

    def failed(self, reason):
        """The application failed to start: during a test boot that is its verdict; otherwise it is only logged."""
        self.device.log('the application failed to start: %s' % reason)
        if self.deciding and not self.confirmed.is_set():
            self._go_back(reason)

    def _go_back(self, reason):
        # The reason is journaled with the trial; the verdict is written on the next boot, from the previous image
        # or tree, so no client reads a rollback from a board about to restart.
        if self.trial == 'tree':
            self.tree_boot.go_back(reason)
            self.device.log('rolling back the source tree: %s' % reason)
        else:
            journal = self.device.journal
            trial = journal.test_boot
            trial['reason'] = reason
            journal.save()
            self.device.slots.boot(trial['previous'])
            self.device.log('rolling back to slot %s: %s' % (trial['previous'], reason))
        self.device.restart_now()

    def request(self, kind):
        """POST /reboot or the restart hook: answers first, restarts once the reply is on its way."""
        if not self.rebooting:
            self.rebooting = True
            spawn(self._reboot(kind), self.device.log)
        return {'rebootingInMs': self.device.config.reboot_ms}

    async def _reboot(self, kind):
        await asyncio.sleep_ms(100)
        self.device.log('rebooting' if kind == 'reboot' else 'restarting')
        self.device.restart_now()


__all__ = ('Boot', 'other')
