"""`python -m bot backup DEST` and `python -m bot restore SRC`: the operator's copy of the data, and its way back.

A backup is a folder:

    DEST/emk.db          the database, copied with SQLite's online backup API while the bot runs (a consistent
                         snapshot of the last commit, not a file copy of a database being written), as one file
                         (rollback journal, no -wal/-shm beside it), checked with `PRAGMA integrity_check`
    DEST/files/          the stored photos and scans, as they are on disk (already encrypted with the data key)
    DEST/keys/           data.key and signing.key: whoever holds them and the rest reads everything, so they are
                         to be moved elsewhere (another medium, a safe) — the command says so
    DEST/manifest.json   when, which migration, how many files; no personal data, no secret

The database is copied before the files: a file is written before the row that names it, so every file the
copied database names is already on disk when the files are copied (an upload finished in between leaves
one more file in the backup, which nothing names and no harm is done).

`restore` goes into an empty data folder only, so it can never mix two installations or overwrite a live
one; the keys are restored only when asked (`--with-keys`, or `--keys-from DIR` where they are kept apart).
This module imports no aiogram: the commands start in well under a second.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings, StartupError
from storage.crypto import DATA_KEY_FILE
from storage.private_files import create_private
from storage.signing import SIGNING_KEY_FILE

DATABASE_NAME = "emk.db"
FILES_DIR = "files"
KEYS_DIR = "keys"
MANIFEST = "manifest.json"
KEYS_WARNING = (
    "WARNING: {keys} holds the keys that decrypt this backup. Store it apart from the rest of the backup "
    "(another disk, another place): whoever has both reads every person's data."
)


@dataclass
class Report:
    """What a command did: lines for stdout, warnings for stderr."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sqlite_path(settings: Settings) -> Path:
    """The database file of DATABASE_URL; backup and restore are for the embedded SQLite database."""
    url = make_url(settings.DATABASE_URL)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise StartupError(
            "DATABASE_URL is not a SQLite file: back up PostgreSQL with pg_dump and restore it with pg_restore; "
            "`python -m bot backup` copies a SQLite database"
        )
    return Path(url.database)


def _copy_private(source: Path, target: Path) -> None:
    fd = create_private(target)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())


def _write_private(target: Path, text: str) -> None:
    fd = create_private(target)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text if text.endswith("\n") else text + "\n")


def _empty_folder(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise StartupError(f"{what} {path} is not an empty folder: {_EMPTY_WHY[what]}")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


_EMPTY_WHY = {
    "backup folder": "give a new folder for each backup (e.g. backups/$(date +%F)), so one never overwrites another",
    "DATA_DIR": "restore goes into an empty data folder only; move the current one aside first "
    "(stop the bot, mv data data.old), or point DATA_DIR and DATABASE_URL at a new folder",
}


def _stored_files(folder: Path) -> Iterator[Path]:
    """The stored files (a dot-name is a file being written, never a stored one)."""
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield path


def _copy_files(source: Path, target: Path) -> int:
    target.mkdir(mode=0o700, exist_ok=True)
    count = 0
    for path in _stored_files(source):
        try:
            _copy_private(path, target / path.name)
        except FileNotFoundError:  # erased since the database was copied: the copy names it no more either
            continue
        count += 1
    return count


def snapshot(database: Path, target: Path) -> str | None:
    """The live database into `target` through the online backup API; returns its migration revision."""
    if not database.is_file():
        raise StartupError(f"DATABASE_URL: the database {database} does not exist; nothing to back up")
    os.close(create_private(target))
    try:
        with closing(sqlite3.connect(database, timeout=30)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)  # one step: a read transaction on the last commit; writers go on meanwhile (WAL)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables \
                else None
    except sqlite3.OperationalError as exc:  # locked past the timeout, a full or read-only disk: not damage
        raise StartupError(f"could not copy the database {database} to {target}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise StartupError(f"the database {database} fails SQLite's integrity check ({problems[0]}): restore the "
                           "last good backup (python -m bot restore)")
    return str(row[0]) if row else None


def _key_sources(settings: Settings) -> list[tuple[str, Path | None, str | None]]:
    """(name in the backup, key file, key text from the environment) for the data key and the signing key."""
    data_text = settings.EMK_DATA_KEY.get_secret_value() if settings.EMK_DATA_KEY else None
    signing_text = settings.BOOK_SIGNING_KEY.get_secret_value() if settings.BOOK_SIGNING_KEY else None
    return [
        (DATA_KEY_FILE, settings.data_key_file, data_text),
        (SIGNING_KEY_FILE, settings.signing_key_file, signing_text),
    ]


def backup(settings: Settings, dest: Path) -> Report:
    """Copy the database (online), the stored files and, into DEST/keys, the keys. Safe while the bot runs."""
    database = sqlite_path(settings)
    _empty_folder(dest, "backup folder")
    report = Report()
    revision = snapshot(database, dest / DATABASE_NAME)
    count = _copy_files(settings.files_dir, dest / FILES_DIR)
    keys = dest / KEYS_DIR
    keys.mkdir(mode=0o700)
    saved = []
    for name, path, text in _key_sources(settings):
        if text and text.strip():  # the key lives in .env: the backup holds it in the key file's format
            _write_private(keys / name, text.strip())
        elif path is not None and path.is_file():
            _copy_private(path, keys / name)
        else:
            continue
        saved.append(name)
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": DATABASE_NAME,
        "migration": revision,
        "files": count,
        "keys": saved,
    }
    _write_private(dest / MANIFEST, json.dumps(manifest, indent=2))
    report.lines.append(
        f"backup written to {dest}: database (migration {revision or 'none'}), {count} stored files, "
        f"keys: {', '.join(saved) or 'none'}"
    )
    if saved:
        report.warnings.append(KEYS_WARNING.format(keys=keys))
    if settings.EMK_OLD_DATA_KEYS and settings.EMK_OLD_DATA_KEYS.get_secret_value().strip():
        report.warnings.append("EMK_OLD_DATA_KEYS is set: keep those keys too until a start has re-encrypted "
                               "everything (then remove them from .env)")
    return report


def restore(settings: Settings, src: Path, *, with_keys: bool = False, keys_from: Path | None = None) -> Report:
    """Put a backup into an EMPTY data folder (DATA_DIR, and DATABASE_URL's file); the keys only when asked."""
    database = sqlite_path(settings)
    if not (src / DATABASE_NAME).is_file():
        raise StartupError(f"{src} is not a backup of this bot: it has no {DATABASE_NAME}")
    keys = keys_from or (src / KEYS_DIR if with_keys else None)
    if keys is not None and not any((keys / name).is_file() for name in (DATA_KEY_FILE, SIGNING_KEY_FILE)):
        raise StartupError(f"{keys} holds no {DATA_KEY_FILE} or {SIGNING_KEY_FILE}: give the folder the keys "
                           "were stored in with --keys-from DIR")
    for existing in (database, Path(f"{database}-wal")):
        if existing.exists():
            raise StartupError(f"DATABASE_URL: {existing} already exists: {_EMPTY_WHY['DATA_DIR']}")
    _empty_folder(settings.DATA_DIR, "DATA_DIR")
    database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _copy_private(src / DATABASE_NAME, database)
    count = _copy_files(src / FILES_DIR, settings.files_dir)
    report = Report([f"restored {src} into {settings.DATA_DIR}: database {database}, {count} stored files"])
    if keys is None:
        report.warnings.append(
            f"the keys were not restored: copy {DATA_KEY_FILE} and {SIGNING_KEY_FILE} from the backup's keys "
            f"folder into {settings.DATA_DIR} (chmod 600), or run restore again into an empty folder with "
            "--with-keys or --keys-from DIR; a start without the data key refuses to run"
        )
        return report
    restored = []
    for name, path, _text in _key_sources(settings):
        if (keys / name).is_file() and path is not None:
            _copy_private(keys / name, path)
            restored.append(name)
    report.lines.append(f"keys restored: {', '.join(restored)}")
    report.lines.append("next: `python -m bot check`, then start the bot")
    return report
