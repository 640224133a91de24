"""Files only their owner may read, from the first moment: keys, backups. Created new (never overwriting one that
exists: FileExistsError), 0600, not through a symlink, written and fsynced before they are closed."""

from __future__ import annotations

import os
from pathlib import Path


def create_private(path: Path) -> int:
    """A new owner-only file, open for writing: its descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)


def write_new_private(path: Path, data: bytes) -> None:
    """`data` in a new owner-only file, on disk when this returns; nothing is left behind if writing fails."""
    fd = create_private(path)
    try:
        os.write(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
