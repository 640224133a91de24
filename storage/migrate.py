"""Apply Alembic migrations at start-up, on the bot's own engine.

A database written by a newer version of the bot (a migration this code does not know: the code was rolled
back without restoring the backup taken before the upgrade) is refused with one line, at start-up and by
`python -m bot check`, instead of Alembic's traceback.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection

from storage.db import DbEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseVersionError(ValueError):
    """The database is at a migration this version of the bot does not know."""


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


_SCRIPTS: list[ScriptDirectory] = []


def _scripts() -> ScriptDirectory:
    """The migration scripts, read once per process (reading them loads every revision file)."""
    if not _SCRIPTS:
        _SCRIPTS.append(ScriptDirectory.from_config(alembic_config()))
    return _SCRIPTS[0]


def revision_state(connection: Connection) -> tuple[str | None, str]:
    """(the database's migration, None for a new database; the code's head). Raises DatabaseVersionError."""
    current = MigrationContext.configure(connection).get_current_revision()
    script = _scripts()
    head = script.get_current_head()
    assert head is not None
    if current is not None:
        try:
            known = script.get_revision(current)
        except CommandError:
            known = None
        if known is None:
            raise DatabaseVersionError(
                f"the database is at migration {current}, which this version of the bot does not know (it knows "
                f"up to {head}): a newer version upgraded it. Install that version again, or restore the backup "
                "taken before the upgrade (python -m bot restore)"
            )
    return current, head


def _upgrade(connection: Connection) -> tuple[str | None, str]:
    state = revision_state(connection)
    if state[0] == state[1]:
        # Already at head (every start but the first after an upgrade): Alembic's upgrade would load env.py
        # and every migration script again only to find that out.
        return state
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
    return state


async def migrate(engine: DbEngine) -> tuple[str | None, str]:
    """Upgrade to the head; returns the migration the database was at before (None: new) and the head."""
    async with engine.begin() as conn:
        return await conn.run_sync(_upgrade)
