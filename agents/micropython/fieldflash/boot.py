# Boot, test boot, confirm and rollback (docs/protocol.md §5) on an ESP32's OTA partitions. Commit switched the boot
# partition, so every restart after it is the new image's test boot. On that boot the application has
# `confirm_within_s` seconds to call agent.confirm(); otherwise the board boots the previous image again, and the
# next boot records the rollback with its reason. A board whose bootloader has rollback enabled also goes back by
# itself when the new image never confirms (power lost, a crash); the agent reads what happened from the journal.
import asyncio

import machine

from fieldflash import store
from fieldflash.journal import other

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
        self.trial_task = None

    @property
    def busy(self):
        return self.deciding or self.rebooting

    def start(self):
        """At boot, before serving: settles what the last restart left, and begins a test boot if one is due."""
        device = self.device
        journal = device.journal
        running = device.slots.running_slot()
        trial = journal.test_boot
        pending = journal.pending_slot()
        if trial is not None:
            if running == trial['slot']:
                # The image booted again without having confirmed: the board restarted during its test boot.
                self._go_back(trial.get('reason') or RESTARTED)
            journal.roll_back(trial.get('reason') or RESTARTED)
            device.log('slot %s never confirmed: rolled back to slot %s' % (trial['slot'], trial['previous']))
        elif pending is not None and running == pending:
            self._begin_test_boot(pending)
            return
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

    def _begin_test_boot(self, slot):
        device = self.device
        device.journal.begin_test_boot(slot)
        device.log('started into slot %s (%s) for its test boot' % (slot, device.journal.slot(slot)['version']))
        if self.hooks.take('powerCut'):
            device.log('power lost during the test boot')
            machine.reset()
        code = self.hooks.take('healthExit')
        if code is not None and code != 0:
            self._go_back('health check exited with %d: failure requested through the test hook' % code)
        self.deciding = True
        from fieldflash.agent import spawn
        self.trial_task = spawn(self._await_confirm(), self.device.log)

    async def _await_confirm(self):
        seconds = self.device.config.confirm_within_s
        try:
            await asyncio.wait_for_ms(self.confirmed.wait(), seconds * 1000)
        except asyncio.TimeoutError:
            self._go_back('the application did not call agent.confirm() within %d s of the test boot' % seconds)
            return
        journal = self.device.journal
        self.device.slots.confirm()
        journal.confirm_test_boot()
        self.deciding = False
        self.device.log('%s confirmed: slot %s is active' % (journal.active_image['version'], journal.active))

    def confirm(self):
        """The application is healthy: a test boot in progress is confirmed; otherwise nothing happens."""
        self.confirmed.set()

    def _go_back(self, reason):
        # The reason is journaled with the trial; the verdict is written on the next boot, from the previous image,
        # so no client reads a rollback from a board about to restart.
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
            from fieldflash.agent import spawn
            spawn(self._reboot(kind), self.device.log)
        return {'rebootingInMs': self.device.config.reboot_ms}

    async def _reboot(self, kind):
        await asyncio.sleep_ms(100)
        self.device.log('rebooting' if kind == 'reboot' else 'restarting')
        self.device.restart_now()


__all__ = ('Boot', 'other')
