"""The SQLite engine: one aiosqlite hop per unit of work, rollback, caches that follow commits, a reader that
sees only what is committed, private files, and the private aiosqlite calls it relies on."""

from __future__ import annotations

import asyncio
import inspect
import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain.applicant import Relation
from domain.clock import FixedClock
from fsm.storage import DatabaseStorage
from storage import db
from storage.crypto import FieldCipher
from storage.db import AiosqliteEngine, DatabaseBusy, create_engine, transaction
from storage.migrate import migrate
from storage.profiles import ProfileRepository
from storage.tables import profiles
from storage.tables import users as users_table
from storage.users import UserRepository
from tests.storage.conftest import traced

CLOCK = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


def cipher() -> FieldCipher:
    return FieldCipher(bytes(range(32)))


def test_the_private_aiosqlite_calls_we_rely_on_are_still_there() -> None:
    """storage/db.py runs functions in aiosqlite's thread with `Connection._execute(fn, *args)`, reaches the
    sqlite3 connection as `_conn`, and makes the thread a daemon through `_thread` before it starts. If aiosqlite
    changes any of these, this fails: re-check storage/db.py before widening the pinned version range."""
    execute = aiosqlite.Connection._execute
    assert inspect.iscoroutinefunction(execute)
    assert list(inspect.signature(execute).parameters) == ["self", "fn", "args", "kwargs"]
    assert isinstance(inspect.getattr_static(aiosqlite.Connection, "_conn"), property)
    conn = aiosqlite.connect(":memory:")
    assert isinstance(conn._thread, threading.Thread) and not conn._thread.is_alive()
    # `_SqliteThread.submit` does what `_execute` does without awaiting: a (future, function) pair on `_tx`.
    source = inspect.getsource(execute)
    assert "self._tx.put_nowait((future, function))" in source and "not self._running or not self._connection" in source


async def test_submit_runs_the_function_in_the_thread_and_lands_in_its_future(tmp_path: Path) -> None:
    thread = db._SqliteThread(str(tmp_path / "t.db"))
    await thread.open()
    try:
        future = thread.submit(lambda a, b: (a + b, threading.get_ident()), 1, 2)
        total, ident = await future
        assert total == 3 and ident != threading.get_ident()
        failing = thread.submit(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            await failing
    finally:
        await thread.close()


async def test_execute_runs_the_function_in_the_connections_thread_with_its_arguments() -> None:
    async with aiosqlite.connect(":memory:") as conn:
        def probe(a: int, *, b: int) -> tuple[int, int, bool]:
            return a + b, threading.get_ident(), isinstance(conn._conn, sqlite3.Connection)

        total, ident, raw = await conn._execute(probe, 1, b=2)
    assert (total, raw) == (3, True)
    assert ident != threading.get_ident()


async def test_a_wizard_step_is_one_hop(engine: AiosqliteEngine) -> None:
    users = UserRepository(engine, CLOCK)
    repo = ProfileRepository(engine, CLOCK, cipher())
    fsm = DatabaseStorage(engine, CLOCK, cipher())
    await users.get_or_create(1)
    profile = await repo.create(1, Relation.SELF)
    key = "1:1:1"
    await fsm._load(key)

    before = engine.hops
    async with transaction(engine):  # what a step does: save the draft, move the conversation
        saved = await repo.save(profile, profile.draft.model_copy(update={"phone": "+79161234567"}), "surname")
        await fsm._save(key, "Apply:surname", {"profile_id": profile.id})
    assert engine.hops - before == 1

    assert (await repo.get(profile.id, 1)) == saved  # from the cache, no hop
    assert engine.hops - before == 1
    reloaded = ProfileRepository(engine, CLOCK, cipher())  # a restarted process reads what was committed
    assert (await reloaded.get(profile.id, 1)) == saved
    assert (await DatabaseStorage(engine, CLOCK, cipher())._load(key)) == ("Apply:surname", {"profile_id": 1})


async def test_a_unit_that_writes_nothing_costs_no_hop(engine: AiosqliteEngine) -> None:
    before = engine.hops
    async with transaction(engine):
        pass
    assert engine.hops == before


async def test_an_exception_rolls_back_and_the_caches_stay_as_committed(engine: AiosqliteEngine) -> None:
    repo = ProfileRepository(engine, CLOCK, cipher())
    await UserRepository(engine, CLOCK).get_or_create(1)
    profile = await repo.create(1, Relation.SELF)

    with pytest.raises(RuntimeError):
        async with transaction(engine) as conn:
            changed = await repo.save(profile, profile.draft.model_copy(update={"phone": "+79161234567"}), "x")
            assert (await repo.get(profile.id, 1)) == changed  # the transaction sees its own write
            await conn.execute(select(profiles.c.id))  # the write has reached the database
            raise RuntimeError("the use case failed")

    assert (await repo.get(profile.id, 1)) == profile  # the cache did not run ahead
    assert (await ProfileRepository(engine, CLOCK, cipher()).get(profile.id, 1)) == profile  # nor did the file


async def test_the_reader_does_not_see_uncommitted_writes(engine: AiosqliteEngine) -> None:
    repo = ProfileRepository(engine, CLOCK, cipher())
    await UserRepository(engine, CLOCK).get_or_create(1)
    await repo.create(1, Relation.SELF)
    count = select(func.count()).select_from(profiles)
    async with transaction(engine) as conn:
        await repo.create(1, Relation.CHILD)  # RETURNING: sent at once
        assert (await conn.execute(count)).scalar_one() == 2
        async with engine.connect() as reader:
            assert (await reader.execute(count)).scalar_one() == 1
    async with engine.connect() as reader:
        assert (await reader.execute(count)).scalar_one() == 2


async def test_a_foreign_write_lock_is_waited_out_off_the_loop_then_reported(
    engine: AiosqliteEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = sqlite3.connect(tmp_path / "data" / "t.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    users = UserRepository(engine, CLOCK)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)
    slow = create_engine(f"sqlite+aiosqlite:///{tmp_path}/data/t.db")  # opened with the short timeout
    task = asyncio.create_task(ticker())
    try:
        with pytest.raises(DatabaseBusy):
            await UserRepository(slow, CLOCK).get_or_create(2)
        assert ticks >= 15  # the loop kept running the whole time
        assert (await users.get(2)) is None  # nothing was written, nothing cached
    finally:
        task.cancel()
        other.execute("ROLLBACK")
        other.close()
        await slow.dispose()
    assert (await UserRepository(slow, CLOCK).get_or_create(2)).telegram_id == 2  # free again: it works
    await slow.dispose()


async def test_the_database_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    engine = create_engine(f"sqlite+aiosqlite:///{folder}/emk.db")
    try:
        await migrate(engine)
        await UserRepository(engine, CLOCK).get_or_create(1)
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        for name in ("emk.db", "emk.db-wal", "emk.db-shm"):
            assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600, name
    finally:
        await engine.dispose()

    old = tmp_path / "old.db"  # a database made before: tightened at start
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    engine = create_engine(f"sqlite+aiosqlite:///{old}")
    await engine.dispose()
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600


# --- the FSM storage seals (JSON + AES-GCM) a conversation's data only when the data changes ----------------

FSM_KEY = StorageKey(bot_id=1, chat_id=7, user_id=7)


class CountingCipher(FieldCipher):
    def __init__(self) -> None:
        super().__init__(bytes(range(32)))
        self.sealed = 0

    def encrypt(self, plaintext: str, *, context: str, row: str = "") -> str:
        self.sealed += 1
        return super().encrypt(plaintext, context=context, row=row)


async def test_moving_the_state_reuses_the_sealed_data(engine: AiosqliteEngine) -> None:
    cipher = CountingCipher()
    fsm = DatabaseStorage(engine, CLOCK, cipher)
    await fsm.set_data(FSM_KEY, {"profile_id": 5})
    assert cipher.sealed == 1
    for state in ("Apply:surname", "Apply:name", "Apply:patronymic"):
        await fsm.set_state(FSM_KEY, state)
    assert cipher.sealed == 1  # three state moves, the data sealed once

    restarted = DatabaseStorage(engine, CLOCK, CountingCipher())
    assert await restarted.get_state(FSM_KEY) == "Apply:patronymic"
    assert await restarted.get_data(FSM_KEY) == {"profile_id": 5}


async def test_changed_data_is_sealed_again(engine: AiosqliteEngine) -> None:
    cipher = CountingCipher()
    fsm = DatabaseStorage(engine, CLOCK, cipher)
    await fsm.set_data(FSM_KEY, {"profile_id": 5})
    await fsm.set_state(FSM_KEY, "Apply:surname")
    await fsm.update_data(FSM_KEY, {"editing": True})
    await fsm.set_state(FSM_KEY, "Apply:name")
    assert cipher.sealed == 2

    restarted = DatabaseStorage(engine, CLOCK, CountingCipher())
    assert await restarted.get_state(FSM_KEY) == "Apply:name"
    assert await restarted.get_data(FSM_KEY) == {"profile_id": 5, "editing": True}
    await restarted.set_state(FSM_KEY, "Apply:birth_date")  # data read back from the database: sealed afresh
    assert await DatabaseStorage(engine, CLOCK, cipher)._load("1:7:7") == ("Apply:birth_date",
                                                                          {"profile_id": 5, "editing": True})


async def test_a_prepared_write_stores_what_sqlalchemy_would_and_rolls_back_with_its_unit(
    engine: AiosqliteEngine,
) -> None:
    """`Prepared` runs on sqlite3 directly: the row it writes reads back as SQLAlchemy's own write would
    (UTC datetimes included), and a unit that sent nothing but prepared writes still rolls back whole."""
    repo = ProfileRepository(engine, CLOCK, cipher())
    await UserRepository(engine, CLOCK).get_or_create(1)
    profile = await repo.create(1, Relation.SELF)
    later = datetime(2026, 11, 26, 10, 30, 15, 123456, tzinfo=UTC)
    params = {"pid": profile.id, "owner": 1, "data": "sealed", "step": "email", "now": later}

    with pytest.raises(RuntimeError):
        async with transaction(engine) as conn:
            await conn.execute(ProfileRepository._SAVE, params)  # a hop with the prepared write alone
            raise RuntimeError("the use case failed")
    async with engine.connect() as conn:
        row = (await conn.execute(select(profiles.c.step, profiles.c.updated_at))).one()
    assert row.step is None and row.updated_at == CLOCK.now()

    async with transaction(engine) as conn:
        await conn.write(ProfileRepository._SAVE, params)
    async with engine.connect() as conn:
        row = (await conn.execute(select(profiles.c.data, profiles.c.step, profiles.c.updated_at))).one()
    assert (row.data, row.step, row.updated_at) == ("sealed", "email", later)
    async with transaction(engine) as conn:  # and SQLAlchemy's own statements go on working after it
        await conn.write(profiles.update().values(step="name"))
    async with engine.connect() as conn:
        assert (await conn.execute(select(profiles.c.step))).scalar() == "name"


def test_prepared_refuses_a_statement_with_values_of_its_own() -> None:
    statement = db.Prepared(profiles.update().values(step="fixed"))
    with pytest.raises(ValueError, match="plain parameterised write"):
        statement.sqlite(db.sqlite.dialect())


async def test_a_commit_cancelled_in_flight_lands_and_the_cache_follows_it(
    engine: AiosqliteEngine, tmp_path: Path
) -> None:
    """The task awaiting a commit is cancelled while the commit waits for another process's lock: the commit
    still lands when the lock is released, and the write-through cache follows it then, never before."""
    users = UserRepository(engine, CLOCK)
    await users.get_or_create(1)
    other = sqlite3.connect(tmp_path / "data" / "t.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        task = asyncio.create_task(users.set_locale(1, "en"))
        await asyncio.sleep(0.2)  # the commit hop is waiting for the lock in the writer's thread
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert (await users.get(1)).locale is None  # not committed yet: the cache did not run ahead
    finally:
        other.execute("ROLLBACK")
        other.close()
    for _ in range(100):
        if (await users.get(1)).locale == "en":
            break
        await asyncio.sleep(0.02)
    assert (await users.get(1)).locale == "en"
    assert (await UserRepository(engine, CLOCK).get(1)).locale == "en"  # and the file has it


async def _failing(engine: AiosqliteEngine, users: UserRepository) -> None:
    """A unit that sets person 1's locale and queues a write that fails at commit (person 2 exists already)."""
    async with transaction(engine) as conn:
        await users.set_locale(1, "en")
        await conn.write(users_table.insert().values(telegram_id=2, created_at=CLOCK.now(), updated_at=CLOCK.now()))


# --- pipelined commits: the next unit begins while the previous one's commit is on its way -----------------


async def test_the_next_unit_begins_while_a_commit_is_on_its_way_and_sees_its_values(
    engine: AiosqliteEngine, tmp_path: Path
) -> None:
    """One person's commit waits for another process's lock in the writer's thread: the next unit of work does
    not wait for it to land to begin (its own hops queue behind it, in order), and inside that unit the first
    one's values are seen; outside any transaction only what has landed is seen."""
    users = UserRepository(engine, CLOCK)
    await users.get_or_create(1)
    await users.get_or_create(2)
    other = sqlite3.connect(tmp_path / "data" / "t.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    began = asyncio.Event()
    seen: list[str | None] = []

    async def second() -> None:
        async with transaction(engine):
            began.set()
            seen.append((await users.get(1)).locale)  # the first unit's value, pending
            await users.set_locale(2, "en")

    try:
        first = asyncio.create_task(users.set_locale(1, "en"))
        await asyncio.sleep(0.05)  # its commit hop now waits for the lock in the writer's thread
        task = asyncio.create_task(second())
        await asyncio.wait_for(began.wait(), 1.0)  # the second unit began although the first has not landed
        assert seen == ["en"]
        assert not first.done() and (await users.get(1)).locale is None  # outside a transaction: the committed
    finally:
        other.execute("ROLLBACK")
        other.close()
    await asyncio.wait_for(asyncio.gather(first, task), 5.0)
    assert (await users.get(1)).locale == "en" and (await users.get(2)).locale == "en"
    restarted = UserRepository(engine, CLOCK)
    assert (await restarted.get(1)).locale == "en" and (await restarted.get(2)).locale == "en"


async def test_a_unit_that_read_a_failed_commits_value_is_refused_and_others_go_on(
    engine: AiosqliteEngine, tmp_path: Path
) -> None:
    """The first unit's commit fails in the thread (here a queued write breaks a constraint). A unit that began
    before it landed and read its value is rolled back with `DatabaseBusy` (the person is asked to try again),
    nothing of it written; a unit that read nothing of it commits; the caches hold only what was committed."""
    users = UserRepository(engine, CLOCK)
    for tid in (1, 2, 3):
        await users.get_or_create(tid)
    other = sqlite3.connect(tmp_path / "data" / "t.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def dependent() -> None:
        async with transaction(engine):
            if (await users.get(1)).locale == "en":  # read from the failing commit
                await users.set_locale(2, "en")

    async def independent() -> None:
        await users.set_locale(3, "en")

    try:
        first = asyncio.create_task(_failing(engine, users))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(dependent())
        third = asyncio.create_task(independent())
        await asyncio.sleep(0.05)
        assert not first.done() and not second.done() and not third.done()
    finally:
        other.execute("ROLLBACK")
        other.close()
    results = await asyncio.wait_for(asyncio.gather(first, second, third, return_exceptions=True), 5.0)
    assert isinstance(results[0], IntegrityError)
    assert isinstance(results[1], DatabaseBusy)
    assert results[2] is None
    restarted = UserRepository(engine, CLOCK)
    for repo in (users, restarted):
        assert [(await repo.get(t)).locale for t in (1, 2, 3)] == [None, None, "en"]


# --- group commit: units whose writes were all queued commit together; a failing one is undone alone -----


async def _people(engine: AiosqliteEngine, count: int) -> UserRepository:
    users = UserRepository(engine, CLOCK)
    for tid in range(1, count + 1):
        await users.get_or_create(tid)
    return users


async def test_units_that_finish_in_the_same_turn_commit_in_one_hop(engine: AiosqliteEngine) -> None:
    users = await _people(engine, 10)
    hops, batches = engine.hops, engine.writer.batches
    await asyncio.gather(*(users.set_locale(tid, "en") for tid in range(1, 11)))
    assert engine.hops - hops == 1 and engine.writer.batches - batches == 1
    restarted = UserRepository(engine, CLOCK)
    for repo in (users, restarted):
        assert {(await repo.get(tid)).locale for tid in range(1, 11)} == {"en"}


async def test_units_that_finish_while_a_group_is_on_its_way_wait_and_go_together(
    engine: AiosqliteEngine, tmp_path: Path
) -> None:
    """A group's hop waits in the writer's thread (here for another process's lock). The units that finish
    meanwhile are not sent one hop each behind it: they wait, and go in one hop once it has landed."""
    users = await _people(engine, 6)
    other = sqlite3.connect(tmp_path / "data" / "t.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        first = asyncio.create_task(users.set_locale(1, "en"))
        await asyncio.sleep(0.05)  # its hop now waits for the lock in the writer's thread
        hops, batches = engine.hops, engine.writer.batches
        rest = [asyncio.create_task(users.set_locale(tid, "en")) for tid in range(2, 7)]
        await asyncio.sleep(0.05)
        assert engine.hops == hops  # nothing more sent while the first is on its way
        assert not first.done() and not any(task.done() for task in rest)
    finally:
        other.execute("ROLLBACK")
        other.close()
    await asyncio.wait_for(asyncio.gather(first, *rest), 5.0)
    assert engine.hops - hops == 1 and engine.writer.batches - batches == 1  # the five, together
    restarted = UserRepository(engine, CLOCK)
    for repo in (users, restarted):
        assert {(await repo.get(tid)).locale for tid in range(1, 7)} == {"en"}




async def test_one_failing_unit_in_a_group_commit_is_rolled_back_alone(engine: AiosqliteEngine) -> None:
    users = await _people(engine, 4)

    batches = engine.writer.batches
    results = await asyncio.gather(
        users.set_locale(3, "en"), _failing(engine, users), users.set_locale(4, "en"), return_exceptions=True
    )
    assert engine.writer.batches - batches == 1
    assert isinstance(results[1], IntegrityError)
    assert results[0].locale == "en" and results[2].locale == "en"  # type: ignore[union-attr]
    restarted = UserRepository(engine, CLOCK)
    for repo in (users, restarted):
        assert [(await repo.get(tid)).locale for tid in (1, 2, 3, 4)] == [None, None, "en", "en"]


async def test_a_group_takes_savepoints_only_when_one_of_its_units_fails(engine: AiosqliteEngine) -> None:
    """Each SQLite call makes the writer's thread wait for the GIL again, so a group is tried first without a
    savepoint per unit; only when a unit fails is it undone and run again with them."""
    users = await _people(engine, 4)
    async with traced(engine) as statements:
        await asyncio.gather(users.set_locale(3, "en"), users.set_locale(4, "en"))
        assert statements and not any("SAVEPOINT" in s for s in statements)
        statements.clear()
        await asyncio.gather(users.set_locale(3, "ru"), _failing(engine, users), return_exceptions=True)
    assert sum("SAVEPOINT emk_unit" in s and "RELEASE" not in s and "ROLLBACK" not in s for s in statements) == 2


async def test_a_unit_that_read_a_failed_units_value_in_the_same_group_is_refused(engine: AiosqliteEngine) -> None:
    users = await _people(engine, 3)

    async def dependent() -> None:
        async with transaction(engine):
            assert (await users.get(1)).locale == "en"  # the pending value of the unit before it
            await users.set_locale(3, "en")

    results = await asyncio.gather(_failing(engine, users), dependent(), return_exceptions=True)
    assert isinstance(results[0], IntegrityError) and isinstance(results[1], DatabaseBusy)
    restarted = UserRepository(engine, CLOCK)
    for repo in (users, restarted):
        assert [(await repo.get(tid)).locale for tid in (1, 2, 3)] == [None, None, None]


async def test_a_unit_that_only_read_a_failed_units_value_is_refused_too(engine: AiosqliteEngine) -> None:
    """A unit that writes nothing commits nothing, but what it read from a commit on its way must not be
    answered as stored: it waits for that commit and is refused when it fails."""
    users = await _people(engine, 2)

    async def reader() -> str | None:
        async with transaction(engine):
            return (await users.get(1)).locale  # the pending value of the unit before it

    async def later_reader() -> str | None:
        async with transaction(engine):
            return (await users.get(1)).locale

    results = await asyncio.gather(_failing(engine, users), reader(), return_exceptions=True)
    assert isinstance(results[0], IntegrityError) and isinstance(results[1], DatabaseBusy)
    assert await later_reader() is None  # after the failure: the committed value

    await asyncio.gather(users.set_locale(2, "en"))
    results = await asyncio.gather(users.set_locale(1, "en"), reader())
    assert results[1] == "en"  # a commit that lands: the value read from it stands
