# At commit of a signed source-tree payload (docs/protocol.md §4.9), before anything is swapped: the tree the next
# boot would put in place (the running files, less the deleted ones, with the staged ones over them) must be exactly
# the tree the signed release lists. Each staged file was already checked as its record arrived (tree_payload.py);
# here the files the payload kept from the running tree are hashed, and files the release does not have are refused.
from fieldflash.errors import Refusal
from fieldflash.updates.tree_payload import read_records


def _refuse(message, path):
    return Refusal('not-in-release', message + ' Nothing was swapped; the running tree is unchanged. Send the release as it was signed.', {'path': path}, 422)


def _mismatch(field, offered, signed):
    return Refusal('image-mismatch', 'The payload says %s %s, but the signed release says %s; nothing was swapped.' % (field, offered, signed),
                   {'field': field, 'offered': offered, 'image': signed}, 422)


def check_whole(tree, signed, payload, version, buf):
    if payload.version != version:
        raise _mismatch('version', payload.version, version)
    if payload.entry != signed['entry']:
        raise _mismatch('entry', payload.entry, signed['entry'])
    for local in payload.release_local:
        if local not in signed['deviceLocal']:
            raise _mismatch('deviceLocal', local, ', '.join(signed['deviceLocal']) or 'none')
    staged = set()
    deleted = set()
    for text in read_records(tree.log_path):
        if text.startswith('file '):
            staged.add(text[5:].split(' ', 2)[2])
        elif text.startswith('delete '):
            deleted.add(text[7:])
    files = signed['files']
    local = tree.device_local + payload.release_local
    for path, size in tree.files(local):
        if path in staged or path in deleted:
            continue
        listed = files.get(path)
        if listed is None:
            raise _refuse('The device holds %s, which the signed release does not have, and the payload does not delete it.' % path, path)
        if listed[1] != size or tree.file_digest(path, buf) != listed[0]:
            raise _refuse('The device\'s %s differs from the signed release\'s, and the payload does not replace it.' % path, path)
        staged.add(path)
    for path in files:
        if path not in staged:
            raise _refuse('The signed release has %s, but the device would be left without it (the payload neither sends nor keeps it).' % path, path)
