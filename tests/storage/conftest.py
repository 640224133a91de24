"""A migrated SQLite database in the test's own folder, for the storage tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
