"""A wizard step, walked like a person, costs one trip to the database's thread and no other thread hop:
the draft and the conversation state go in one unit of work, and aiogram's magic filters run inline
(aiogram 3.31 would run each in a worker thread)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from storage.db import AiosqliteEngine
from tests.harness import World
from tests.test_db_lock import at_the_surname_step, surname_stored


async def test_a_wizard_step_is_one_database_hop_and_no_other_thread(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.deps is not None
    engine = world.deps.engine
    assert isinstance(engine, AiosqliteEngine)
    anna = world.person()
    await at_the_surname_step(anna)

    threads: list[Any] = []
    original = asyncio.to_thread

    async def counted(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        threads.append(fn)
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    before = engine.hops
    await anna.send("Иванова")
    assert "Ваше имя" in anna.last, anna.said
    assert engine.hops - before == 1
    assert threads == []
    assert await surname_stored(world, anna) == "Иванова"
