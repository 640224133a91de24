"""Key and backup files: owner-only from the first moment, never overwriting, never through a symlink."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from storage.private_files import write_new_private


def test_a_new_private_file_is_owner_only_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    write_new_private(path, b"secret\n")
    assert path.read_bytes() == b"secret\n" and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_new_private(path, b"other\n")
    assert path.read_bytes() == b"secret\n"


def test_a_symlink_in_its_place_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"keep")
    (tmp_path / "k.key").symlink_to(target)
    with pytest.raises(OSError):
        write_new_private(tmp_path / "k.key", b"secret\n")
    assert target.read_bytes() == b"keep"
