"""A migrated SQLite database in the test's own folder, for the storage tests; the SQL its writer runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from storage.db import AiosqliteEngine, create_engine
from storage.migrate import migrate


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AiosqliteEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/data/t.db")
    assert isinstance(engine, AiosqliteEngine)
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def traced(engine: AiosqliteEngine) -> AsyncIterator[list[str]]:
    """Every SQL statement the writer's connection runs inside the block, as SQLite traces it."""
    statements: list[str] = []
    aio, raw = engine.writer.aio, engine.writer.raw
    assert aio is not None and raw is not None
    await aio._execute(raw.set_trace_callback, statements.append)
    try:
        yield statements
    finally:
        await aio._execute(raw.set_trace_callback, None)
