# The journal: which slot runs, what each slot holds, a test boot under way, the last update's outcome and the
# security-version floor; and for source trees, the running tree's record, a staged tree and the swap's direction
# (updates/tree_boot.py). One JSON record replaced whole on every change (store.py).
from fieldflash import store

FILE = 'journal.json'
NO_TREE = {'active': None, 'staged': None, 'phase': None, 'reason': None}


def other(slot):
    return 'b' if slot == 'a' else 'a'


class Journal:
    def __init__(self, state_dir):
        self.path = state_dir + '/' + FILE
        self.state = store.read_json(self.path)

    @property
    def exists(self):
        return self.state is not None

    def create(self, running, image):
        self.state = {
            'generation': 0, 'active': running,
            'slots': {running: dict(image, state='active'), other(running): {'state': 'empty'}},
            'testBoot': None, 'lastUpdate': None,
            'securityFloor': image['securityVersion'], 'securityFloorSource': 'factory',
        }
        self.save()

    def save(self):
        self.state['generation'] += 1
        store.write_json(self.path, self.state)

    # --- reading -----------------------------------------------------------
    @property
    def active(self):
        return self.state['active']

    def slot(self, name):
        return self.state['slots'][name]

    @property
    def active_image(self):
        return self.slot(self.active)

    @property
    def current_image(self):
        """What the board's application is: the running source tree once one was confirmed, else the running image."""
        tree = self.tree['active']
        return tree if tree is not None and self.state.get('application') == 'tree' else self.active_image

    def pending_slot(self):
        for name in ('a', 'b'):
            if self.slot(name)['state'] == 'pending':
                return name
        return None

    @property
    def test_boot(self):
        return self.state['testBoot']

    @property
    def last_update(self):
        return self.state['lastUpdate']

    @property
    def security_version(self):
        return max(self.state['securityFloor'], self.current_image['securityVersion'])

    @property
    def tree(self):
        if 'tree' not in self.state:
            self.state['tree'] = dict(NO_TREE)
        return self.state['tree']

    # --- changes -----------------------------------------------------------
    def _raise_floor(self, record):
        if record['securityVersion'] > self.state['securityFloor']:
            self.state['securityFloor'] = record['securityVersion']
            self.state['securityFloorSource'] = record.get('counterSources', {}).get('securityVersion', 'offer')

    def forget(self, slot, reason):
        record = self.slot(slot)
        if record['state'] == 'empty':
            return
        last = self.state['lastUpdate']
        if record['state'] == 'pending' and last is not None and last['sha256'] == record['sha256'] and last['outcome'] == 'pending':
            # Its test boot can no longer come: a client waiting for the verdict gets one instead of waiting forever.
            self.state['lastUpdate'] = dict(last, outcome='rolled-back', reason=reason)
        self.state['slots'][slot] = {'state': 'empty'}
        self.save()

    def record_pending(self, slot, image):
        self.state['slots'][slot] = dict(image, state='pending')
        self.state['lastUpdate'] = {'sha256': image['sha256'], 'version': image['version'], 'outcome': 'pending'}
        self.tree['staged'] = None  # a committed image replaces a staged tree (docs/protocol.md §5)
        self.save()

    def begin_test_boot(self, slot):
        self.state['testBoot'] = {'slot': slot, 'previous': self.active, 'sha256': self.slot(slot)['sha256']}
        self.save()

    def confirm_test_boot(self):
        trial = self.state['testBoot']
        record = self.slot(trial['slot'])
        previous = self.slot(trial['previous'])
        record['state'] = 'active'
        if previous['state'] != 'empty':
            previous['state'] = 'confirmed'
        self.state['active'] = trial['slot']
        self.state['testBoot'] = None
        self.state['application'] = 'firmware'
        self._raise_floor(record)
        self.state['lastUpdate'] = {'sha256': record['sha256'], 'version': record['version'], 'outcome': 'confirmed'}
        self.save()

    def roll_back(self, reason):
        trial = self.state['testBoot']
        record = self.slot(trial['slot'])
        version = record.get('version', '0.0.0')
        self.state['slots'][trial['slot']] = {'state': 'empty'}
        self.state['active'] = trial['previous']
        self.state['testBoot'] = None
        self.state['lastUpdate'] = {'sha256': trial['sha256'], 'version': version, 'outcome': 'rolled-back', 'reason': reason}
        self.save()

    def adopt(self, slot, describe):
        """The board booted `slot`, not the journal's active one (its bootloader went back): it is what runs."""
        record = self.slot(slot)
        previous = self.slot(self.active)
        if record['state'] == 'empty':
            record = dict(describe(), state='active')
            self.state['slots'][slot] = record
        record['state'] = 'active'
        if previous['state'] != 'empty':
            previous['state'] = 'confirmed'
        self.state['active'] = slot
        self.save()

    # --- source trees ------------------------------------------------------
    def record_tree_staged(self, record, dropped_slot=None):
        """A committed tree waits for its test boot; it replaces a pending image (`dropped_slot`) in the same change."""
        if dropped_slot is not None:
            self.state['slots'][dropped_slot] = {'state': 'empty'}
        self.tree['staged'] = record
        self.state['lastUpdate'] = {'sha256': record['sha256'], 'version': record['version'], 'outcome': 'pending'}
        self.save()

    def drop_staged_tree(self):
        if self.tree['staged'] is not None:
            self.tree['staged'] = None
            self.save()

    def tree_phase(self, phase, reason=None):
        self.tree['phase'] = phase
        if reason is not None:
            self.tree['reason'] = reason
        self.save()

    def confirm_tree(self):
        tree = self.tree
        record = tree['staged']
        tree['active'] = record
        tree['staged'] = None
        tree['phase'] = 'cleaning'
        tree['reason'] = None
        self.state['application'] = 'tree'
        self._raise_floor(record)
        self.state['lastUpdate'] = {'sha256': record['sha256'], 'version': record['version'], 'outcome': 'confirmed'}
        self.save()

    def roll_back_tree(self, reason):
        tree = self.tree
        record = tree['staged']
        tree['staged'] = None
        tree['phase'] = None
        tree['reason'] = None
        self.state['lastUpdate'] = {'sha256': record['sha256'], 'version': record['version'], 'outcome': 'rolled-back', 'reason': reason}
        self.save()

    def tree_cleaned(self):
        self.tree['phase'] = None
        self.save()
