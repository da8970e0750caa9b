# Putting a staged source tree in place, and taking it out again, so that a power cut at any step leaves a tree the
# next boot can always complete one way or the other (agents/micropython/README.md, "The swap").
#
# The steps come from the records log (tree_payload.py): each written file moves the running one to the backup folder
# and the staged one into the tree; each deleted file moves the running one to the backup folder; `.version` is
# written last. Every step is one rename, and whether it was done is read from the files themselves (a rename is
# atomic on LittleFS), so the journal only records which way the swap goes (journal.py: swapping, trial, undoing,
# cleaning) and either direction can be run again from the start after a power cut:
#   forward, per written file x:  tree/x -> backup/x  if tree/x and staging/x exist and backup/x does not
#                                 staging/x -> tree/x if staging/x exists
#   forward, per deleted file x:  tree/x -> backup/x  if tree/x exists and backup/x does not
#   undo, per file x:             tree/x -> staging/x if x was written, tree/x exists and staging/x does not
#                                 backup/x -> tree/x  if backup/x exists and tree/x does not
import os

from fieldflash import store
from fieldflash.updates.tree_paths import VERSION_FILE
from fieldflash.updates.tree_payload import read_records


class Swap:
    def __init__(self, root, staging, backup, log_path):
        self.root = root
        self.staging = staging
        self.backup = backup
        self.log_path = log_path

    def steps(self):
        """('write' or 'delete', path) for each file the staged tree changes; `.version` last."""
        for text in read_records(self.log_path):
            if text.startswith('file '):
                yield 'write', text[5:].split(' ', 2)[2]
            elif text.startswith('delete '):
                yield 'delete', text[7:]
        yield 'write', VERSION_FILE

    def _move(self, src, dst_root, path):
        store.make_parents(dst_root, path)
        os.rename(src, dst_root + '/' + path)

    def forward(self):
        for kind, path in self.steps():
            running, staged, saved = self.root + '/' + path, self.staging + '/' + path, self.backup + '/' + path
            if kind == 'write':
                if store.exists(running) and store.exists(staged) and not store.exists(saved):
                    self._move(running, self.backup, path)
                if store.exists(staged):
                    self._move(staged, self.root, path)
            elif store.exists(running) and not store.exists(saved):
                self._move(running, self.backup, path)

    def undo(self):
        for kind, path in self.steps():
            running, staged, saved = self.root + '/' + path, self.staging + '/' + path, self.backup + '/' + path
            if kind == 'write' and store.exists(running) and not store.exists(staged):
                self._move(running, self.staging, path)
            if store.exists(saved) and not store.exists(running):
                self._move(saved, self.root, path)
        # Folders made for files that are gone again.
        for kind, path in self.steps():
            if kind == 'write':
                store.prune(self.root, path)

    def finish(self):
        """After the new tree was confirmed: folders its deletions emptied, the backup and the staging area go."""
        for kind, path in self.steps():
            if kind == 'delete':
                store.prune(self.root, path)
        self.discard()

    def discard(self):
        store.remove_tree(self.backup)
        store.remove_tree(self.staging)
        store.remove(self.log_path)
