"""Apply Alembic migrations at start-up, on the bot's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import DbEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


_HEADS: list[frozenset[str]] = []


def _heads() -> frozenset[str]:
    """The migrations' head revision(s), read from the scripts once per process."""
    if not _HEADS:
        _HEADS.append(frozenset(ScriptDirectory.from_config(alembic_config()).get_heads()))
    return _HEADS[0]


def _upgrade(connection: Connection) -> None:
    # A database already at head (every start but the first after an upgrade) needs nothing: asking it costs
    # one SELECT, where Alembic's upgrade would load env.py and every migration script to find that out.
    if frozenset(MigrationContext.configure(connection).get_current_heads()) == _heads():
        return
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def migrate(engine: DbEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
