from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.botapi import FakeBotAPI
from tests.harness import World


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def world(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[World]:
    w = World(api=api, data_dir=tmp_path / "data")
    await w.start()
    try:
        yield w
    finally:
        await w.stop()
