"""Another process holds the database's write lock: the bot keeps answering everyone else at once, and a
wizard answer that has to wait is stored once the lock is released — or, if it is held past the busy timeout,
answered with a polite «try again» — never lost silently."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from storage import db
from tests.fakes.botapi import FakeBotAPI
from tests.harness import Person, World

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


@asynccontextmanager
async def write_lock_held(database: Path, seconds: float) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(database), str(seconds), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    assert (await proc.stdout.readline()).strip() == b"locked"
    try:
        yield proc
    finally:
        await proc.wait()


async def at_the_surname_step(person: Person) -> None:
    await person.command("start")
    await person.press("Согласен")
    await person.press("Оформить ЭМК")
    await person.press("Анкета для себя")
    await person.share_contact("79161234567")
    await person.press("Пропустить")  # e-mail
    assert "Ваша фамилия" in person.last, person.last


async def surname_stored(world: World, person: Person) -> str | None:
    assert world.deps is not None
    [profile] = await world.deps.profiles.list_for(person.user.id)
    return profile.draft.surname


async def test_help_is_answered_at_once_while_a_wizard_answer_waits_for_the_lock(world: World) -> None:
    anna, boris = world.person(), world.person(user_id=5550002, first_name="Борис")
    await at_the_surname_step(anna)
    await boris.command("start")
    await boris.command("help")
    help_text = boris.last  # what /help says when nothing is in the way

    async with write_lock_held(world.data_dir / "emk.db", 3.0):
        started = time.perf_counter()
        answer = asyncio.create_task(anna.send("Иванова"))
        await asyncio.sleep(0.2)  # Anna's step is now waiting for the lock, in the writer's thread
        assert not answer.done()

        t0 = time.perf_counter()
        await boris.command("help")
        assert time.perf_counter() - t0 < 0.5
        assert boris.replies == [help_text], boris.replies  # he got his answer
        assert not answer.done()  # while Anna's answer still waits

        await answer
    assert time.perf_counter() - started > 2.5  # it did wait for the lock, it was not skipped
    assert "Ваше имя" in anna.last, anna.said  # the next question
    assert await surname_stored(world, anna) == "Иванова"
    await world.restart()
    assert await surname_stored(world, anna) == "Иванова"  # stored, not only remembered


async def test_an_answer_that_cannot_wait_longer_is_answered_with_try_again(
    api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)  # instead of waiting 5 s here
    world = World(api=api, data_dir=tmp_path / "data")
    await world.start()
    try:
        anna = world.person()
        await at_the_surname_step(anna)
        async with write_lock_held(world.data_dir / "emk.db", 1.0):
            await anna.send("Иванова")
        assert anna.replies == [
            "Бот сейчас очень загружен и не сохранил ваш последний ответ. "
            "Пожалуйста, отправьте его ещё раз через минуту."
        ]
        assert await surname_stored(world, anna) is None

        await anna.send("Иванова")  # sent again once the lock is gone: stored, the wizard goes on
        assert await surname_stored(world, anna) == "Иванова"
        assert "Ваше имя" in anna.last, anna.said
    finally:
        await world.stop()
