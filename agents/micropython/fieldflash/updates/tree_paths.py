"""Paths in a source tree the device treats apart: the version file it writes itself, and device-local files."""

VERSION_FILE = '.version'


def is_local(path, local):
    """Whether a device path is device-local: named exactly, or inside a device-local folder ("data/")."""
    for entry in local:
        if path == entry or (entry.endswith('/') and path.startswith(entry)):
            return True
    return False
