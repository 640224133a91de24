"""The FSM storage seals (encodes and encrypts) a conversation's data only when the data changes: a step that
moves only the state writes the blob it sealed before, and a restart still reads the state and the data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey

from domain.clock import FixedClock
from fsm.storage import DatabaseStorage
from storage.crypto import FieldCipher
from storage.db import AiosqliteEngine, create_engine
from storage.migrate import migrate

CLOCK = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
KEY = StorageKey(bot_id=1, chat_id=7, user_id=7)


class CountingCipher(FieldCipher):
    def __init__(self) -> None:
        super().__init__(bytes(range(32)))
        self.sealed = 0

    def encrypt(self, plaintext: str, *, context: str, row: str = "") -> str:
        self.sealed += 1
        return super().encrypt(plaintext, context=context, row=row)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AiosqliteEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    assert isinstance(engine, AiosqliteEngine)
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_moving_the_state_reuses_the_sealed_data(engine: AiosqliteEngine) -> None:
    cipher = CountingCipher()
    fsm = DatabaseStorage(engine, CLOCK, cipher)
    await fsm.set_data(KEY, {"profile_id": 5})
    assert cipher.sealed == 1
    for state in ("Apply:surname", "Apply:name", "Apply:patronymic"):
        await fsm.set_state(KEY, state)
    assert cipher.sealed == 1  # three state moves, the data sealed once

    restarted = DatabaseStorage(engine, CLOCK, CountingCipher())
    assert await restarted.get_state(KEY) == "Apply:patronymic"
    assert await restarted.get_data(KEY) == {"profile_id": 5}


async def test_changed_data_is_sealed_again(engine: AiosqliteEngine) -> None:
    cipher = CountingCipher()
    fsm = DatabaseStorage(engine, CLOCK, cipher)
    await fsm.set_data(KEY, {"profile_id": 5})
    await fsm.set_state(KEY, "Apply:surname")
    await fsm.update_data(KEY, {"editing": True})
    await fsm.set_state(KEY, "Apply:name")
    assert cipher.sealed == 2

    restarted = DatabaseStorage(engine, CLOCK, CountingCipher())
    assert await restarted.get_state(KEY) == "Apply:name"
    assert await restarted.get_data(KEY) == {"profile_id": 5, "editing": True}
    await restarted.set_state(KEY, "Apply:birth_date")  # data read back from the database: sealed afresh
    assert await DatabaseStorage(engine, CLOCK, cipher)._load("1:7:7") == ("Apply:birth_date",
                                                                          {"profile_id": 5, "editing": True})
