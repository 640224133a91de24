"""Alembic environment: runs on the connection the bot hands over, or on DATABASE_URL from the CLI."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

import storage.outbox  # noqa: F401  -- registers the outbox table on the shared metadata
from storage import exams as _exams  # noqa: F401  -- registers the exam tables on the shared metadata
from storage import payments as _payments  # noqa: F401  -- registers the payments table on the shared metadata
from storage import reminders as _reminders  # noqa: F401  -- registers the notification settings table
from storage.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from storage.db import create_engine

    engine = create_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///data/emk.db"))

    async def go() -> None:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    asyncio.run(go())


if context.is_offline_mode():
    context.configure(url=os.environ.get("DATABASE_URL"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    _run_online()
