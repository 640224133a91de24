"""`python -m bot check`: everything start-up validates, without starting the bot or changing the data.

Each part is checked by the function start-up itself uses (so the errors are the same lines): the settings
(bot/config.py, before this runs), the operator's identity (`require_operator`), the policy and clinics files
(`load_operator_files`), the signing key (`load_or_create_signing_key`, only when it exists), and for SQLite the
database and the data key on a snapshot of the database taken with the backup's online copy: SQLite's
integrity check, the migrations (`migrate`, which refuses a database from a newer version and upgrades the
snapshot, never the live file) and the data key against the data (`open_data_key`; a key rotation it would do
happens on the snapshot only). Nothing is created: a missing key or database is reported as made at first
start. Every problem found is printed (stderr, exit 2); else a short summary (stdout, exit 0).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text

from bot.backup import DATABASE_NAME, snapshot, sqlite_path
from bot.config import Settings, require_operator
from bot.operator_files import OperatorFileError, load_operator_files
from storage.crypto import KeyFileError
from storage.db import create_engine
from storage.keycheck import key_to_be_made, open_data_key
from storage.migrate import migrate, revision_state
from storage.signing import load_or_create_signing_key

OPERATOR_MISTAKES = (OperatorFileError, KeyFileError, ValueError, OSError)  # what start-up reports in one line


def _operator(settings: Settings) -> str:
    require_operator(settings)
    return f"operator: {settings.OPERATOR_NAME}"


def _files(settings: Settings) -> str:
    policy, clinics = load_operator_files(settings.POLICY_FILE, settings.CLINICS_FILE)
    where = settings.POLICY_FILE or "the shipped example"
    booking = f"{len(clinics.clinics)} clinics" if clinics is not None else "no clinics file (no booking)"
    return f"policy: {where}, {len(policy.categories)} work categories; {booking}"


def _signing_key(settings: Settings) -> str:
    text_key = settings.BOOK_SIGNING_KEY.get_secret_value() if settings.BOOK_SIGNING_KEY else None
    if not text_key and not settings.signing_key_file.exists():
        return f"signing key: none yet ({settings.signing_key_file} is made at first start)"
    load_or_create_signing_key(text_key, settings.signing_key_file)  # reads, never makes one here
    return "signing key: " + ("BOOK_SIGNING_KEY" if text_key else str(settings.signing_key_file))


async def _database(settings: Settings) -> list[str]:
    data_text = settings.EMK_DATA_KEY.get_secret_value() if settings.EMK_DATA_KEY else None
    old_text = settings.EMK_OLD_DATA_KEYS.get_secret_value() if settings.EMK_OLD_DATA_KEYS else None
    key_file = settings.data_key_file
    if not settings.DATABASE_URL.startswith("sqlite"):
        return [await _other_database(settings.DATABASE_URL)]
    database = sqlite_path(settings)
    if not database.exists():
        return [f"database: none yet ({database} is made at first start)"]
    with tempfile.TemporaryDirectory(prefix="emk-check-") as tmp:
        copy = Path(tmp) / DATABASE_NAME
        await asyncio.to_thread(snapshot, database, copy)  # raises on a failed integrity check
        engine = create_engine(f"sqlite+aiosqlite:///{copy}")
        try:
            before, head = await migrate(engine)
            at = f"at migration {head}" if before == head else f"at migration {before}, upgraded to {head} at start"
            lines = [f"database: {database}, integrity ok, {at}"]
            if await key_to_be_made(engine, data_text, key_file):
                lines.append(f"data key: none yet ({key_file} is made at first start)")
            else:
                cipher, _ = await open_data_key(engine, data_text, key_file, old_text, Path(tmp) / "files")
                source = "EMK_DATA_KEY" if data_text else str(key_file)
                lines.append(f"data key: {source} (key id {cipher.key_id}) opens the data")
        finally:
            await engine.dispose()
    return lines


async def _other_database(url: str) -> str:
    """PostgreSQL: the migration is checked; the data key is checked at start (no snapshot to try it on)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            before, head = await conn.run_sync(revision_state)
    finally:
        await engine.dispose()
    return f"database: reachable, at migration {before or 'none'} (head {head}); the data key is checked at start"


async def _run(settings: Settings) -> tuple[list[str], list[str]]:
    summary: list[str] = []
    problems: list[str] = []
    steps: list[Callable[[], Awaitable[list[str]]]] = [
        lambda: asyncio.to_thread(lambda: [_operator(settings)]),
        lambda: asyncio.to_thread(lambda: [_files(settings)]),
        lambda: asyncio.to_thread(lambda: [_signing_key(settings)]),
        lambda: _database(settings),
    ]
    for step in steps:
        try:
            summary += await step()
        except OPERATOR_MISTAKES as exc:
            problems.append(str(exc))
    return summary, problems


def check(settings: Settings) -> int:
    """Print the summary and return 0, or print every problem (as start-up words it) and return 2."""
    summary, problems = asyncio.run(_run(settings))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    print("OK: " + "\n    ".join(summary))
    return 0

