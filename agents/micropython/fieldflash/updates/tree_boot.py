# A source tree's side of boot (docs/protocol.md §5): every restart after commit is the staged tree's test boot,
# which first swaps it in (tree_swap.py). The journal records the direction before each part starts, so the boot
# after a power cut finishes what was under way:
#   swapping or trial  -> the test boot was cut short: undo the swap; the update is rolled back with the reason
#   undoing            -> finish the undo
#   cleaning           -> the tree was confirmed: finish removing the backup and the staging area
# Nothing else on the filesystem is touched; the staging area of an upload still under way is kept for its resume.
SWAP_CUT = 'the device restarted while it put the new source tree in place'
RESTARTED = 'the device restarted during the test boot, before the application confirmed the source tree'


class TreeBoot:
    def __init__(self, device):
        self.device = device
        self.tree = device.tree

    def start(self):
        """Settles what the last restart left; True when the staged tree was swapped in and its test boot begins."""
        journal = self.device.journal
        state = journal.tree
        phase = state['phase']
        if phase == 'cleaning':
            self.tree.swap().finish()
            journal.tree_cleaned()
            return False
        if phase in ('swapping', 'trial', 'undoing'):
            reason = state.get('reason') or (SWAP_CUT if phase == 'swapping' else RESTARTED)
            version = state['staged']['version']
            if phase != 'undoing':
                journal.tree_phase('undoing', reason)
            swap = self.tree.swap()
            swap.undo()
            journal.roll_back_tree(reason)
            swap.discard()
            self.device.log('the source tree %s never confirmed: rolled back (%s)' % (version, reason))
            return False
        if state['staged'] is not None:
            journal.tree_phase('swapping')
            self.tree.swap().forward()
            journal.tree_phase('trial')
            self.device.log('swapped in the source tree %s for its test boot' % state['staged']['version'])
            return True
        upload = self.device.uploads.current
        if self.tree.leftovers() and (upload is None or upload.kind != 'source-tree' or not upload.tree.get('prepared')):
            self.tree.swap().discard()  # whatever an interrupted rollback or cleanup left
        return False

    def confirm(self):
        journal = self.device.journal
        version = journal.tree['staged']['version']
        journal.confirm_tree()
        self.tree.swap().finish()
        journal.tree_cleaned()
        self.device.log('source tree %s confirmed' % version)

    def go_back(self, reason):
        # Undone at the next boot, from the journal: the application's modules are loaded from the new tree now.
        self.device.journal.tree_phase('trial', reason)
