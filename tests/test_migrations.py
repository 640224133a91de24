"""Migrations build exactly the schema the code's table definitions describe, and go down cleanly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

import storage.books
import storage.elmk
import storage.outbox
import storage.shares  # noqa: F401  -- the share tables live in their own module
from storage import exams as _exams  # noqa: F401  -- registers the exam tables on the shared metadata
from storage import payments as _payments  # noqa: F401  -- registers the payments table on the shared metadata
from storage import reminders as _reminders  # noqa: F401  -- registers the notification settings table
from storage.migrate import alembic_config
from storage.tables import metadata


@contextmanager
def migrations(tmp_path: Path) -> Iterator[tuple[Any, Config]]:
    """A connection to an empty SQLite database and the Alembic config that migrates it."""
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            yield conn, cfg
    finally:
        engine.dispose()


def test_migrations_match_the_tables_and_downgrade(tmp_path: Path) -> None:
    with migrations(tmp_path) as (conn, cfg):
        command.upgrade(cfg, "head")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        command.downgrade(cfg, "base")
        names = set(conn.dialect.get_table_names(conn))
        assert names <= {"alembic_version"}


def test_a_staff_card_kept_only_in_the_old_columns_moves_into_staff_cards(tmp_path: Path) -> None:
    with migrations(tmp_path) as (conn, cfg):
        command.upgrade(cfg, "0007")
        conn.execute(text("INSERT INTO users (telegram_id, created_at, updated_at) VALUES (7, '2026', '2026')"))
        for app_id, chat_id, message_id, cards in [(1, -100, 55, "[]"), (2, None, None, "[]"), (3, 7, 9, "[[7, 9]]")]:
            conn.execute(
                text(
                    "INSERT INTO applications (id, number, year, seq, owner_id, status, snapshot, content_sha256,"
                    " signed_by, signed_at, staff_chat_id, staff_message_id, staff_cards, updated_at) VALUES"
                    " (:id, :number, 2026, :id, 7, 'accepted', 'x', 'h', 7, '2026', :chat, :message, :cards, '2026')"
                ),
                {"id": app_id, "number": f"N-{app_id}", "chat": chat_id, "message": message_id, "cards": cards},
            )
        command.upgrade(cfg, "0008")
        cards = dict(conn.execute(text("SELECT id, staff_cards FROM applications ORDER BY id")).all())
        assert {k: json.loads(v) for k, v in cards.items()} == {1: [[-100, 55]], 2: [], 3: [[7, 9]]}
        command.downgrade(cfg, "0007")
        old = conn.execute(text("SELECT id, staff_chat_id, staff_message_id FROM applications ORDER BY id")).all()
        assert [tuple(row) for row in old] == [(1, -100, 55), (2, None, None), (3, 7, 9)]
