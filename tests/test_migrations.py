"""Migrations build exactly the schema the code's table definitions describe, and go down cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import storage.outbox  # noqa: F401  -- the outbox table lives in its own module
from storage import payments as _payments  # noqa: F401  -- registers the payments table on the shared metadata
from storage.migrate import alembic_config
from storage.tables import metadata


def test_migrations_match_the_tables_and_downgrade(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        command.downgrade(cfg, "base")
        names = set(conn.dialect.get_table_names(conn))
        assert names <= {"alembic_version"}
    engine.dispose()
