"""Keyed writes merged in a group commit: one statement of many rows leaves the tables exactly as the runs one
by one would (random runs, keys repeated, on SQLite itself), and the engine merges a wizard step's two writes
across the units of a group."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram.fsm.storage.base import StorageKey
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.pool import StaticPool

from domain.applicant import Relation
from domain.clock import FixedClock
from fsm.storage import DatabaseStorage
from storage.crypto import FieldCipher
from storage.db import AiosqliteEngine, Prepared, UTCDateTime, _merged, _run, transaction
from storage.profiles import ProfileRepository
from storage.users import UserRepository
from tests.storage.conftest import traced

CLOCK = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
meta = MetaData()
cards = Table(  # rows updated in place, named by two columns
    "cards", meta,
    Column("id", Integer, primary_key=True), Column("owner", Integer, nullable=False),
    Column("text", String, nullable=True), Column("at", UTCDateTime, nullable=True),
)
notes = Table(  # rows inserted or replaced, named by their key
    "notes", meta,
    Column("key", String, primary_key=True), Column("text", String, nullable=False), Column("at", UTCDateTime),
)
UPDATE_CARD = Prepared.update(cards, where={"id": "cid", "owner": "who"}, values={"text": "text", "at": "at"})
NOTE = {"key": "k", "text": "t", "at": "at"}
UPSERT_NOTE = Prepared.upsert("sqlite", notes, NOTE, key=["key"], update=["text", "at"])
KEEP_NOTE = Prepared.upsert("sqlite", notes, NOTE, key=["key"], update=[])

T0 = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(0, 10).map(lambda m: T0 + timedelta(minutes=m))
card_runs = st.fixed_dictionaries({
    "cid": st.integers(1, 4), "who": st.integers(1, 2), "text": st.one_of(st.none(), st.text(max_size=5)),
    "at": moments,
}).map(lambda p: (UPDATE_CARD, p))
note_runs = st.tuples(st.just(UPSERT_NOTE), st.fixed_dictionaries({
    "k": st.sampled_from("abc"), "t": st.text(max_size=5), "at": moments,
}))


def _database() -> Any:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    meta.create_all(engine)
    conn = engine.connect()
    for cid in range(1, 5):
        conn.execute(cards.insert().values(id=cid, owner=1 + cid % 2, text="old", at=None))
    return conn


def _tables(conn: Any) -> tuple[list[Any], list[Any]]:
    return (conn.execute(select(cards).order_by(cards.c.id)).all(),
            conn.execute(select(notes).order_by(notes.c.key)).all())


@settings(max_examples=80)
@given(st.lists(st.lists(st.one_of(card_runs, note_runs), max_size=3), max_size=6))
def test_merged_runs_leave_the_tables_as_the_runs_one_by_one(units: list[list[tuple[Prepared, Any]]]) -> None:
    one_by_one, merged = _database(), _database()
    for queued in units:
        for statement, parameters in queued:
            _run(one_by_one, statement, parameters)
    groups = _merged(units)
    assert groups is not None
    for statement, rows in groups:
        statement.run_rows(merged, rows)
    assert _tables(merged) == _tables(one_by_one)


def test_writes_that_cannot_be_merged_are_not() -> None:
    update_text = Prepared(cards.update().values(text="x"))  # not keyed: its rows are not named
    assert _merged([[(update_text, {})], [(UPDATE_CARD, {"cid": 1, "who": 1, "text": "a", "at": T0})]]) is None
    # DO NOTHING: the first run for a key decides, not the last
    keep = [[(KEEP_NOTE, {"k": "a", "t": t, "at": T0})] for t in "xy"]
    assert _merged(keep) is None
    # a conflict that rewrites some columns only: the first run's other columns would stay
    partial = Prepared.upsert("sqlite", notes, NOTE, key=["key"], update=["text"])
    assert _merged([[(partial, {"k": "a", "t": t, "at": T0})] for t in "xy"]) is None
    # two keyed writes of one table: which runs first could matter
    other_update = Prepared.update(cards, where={"id": "cid", "owner": "who"}, values={"text": "text"})
    assert _merged([[(UPDATE_CARD, {"cid": 1, "who": 1, "text": "a", "at": T0})],
                    [(other_update, {"cid": 1, "who": 1, "text": "b"})]]) is None


def test_a_merged_statement_has_as_many_rows_as_distinct_keys() -> None:
    p = {"cid": 1, "who": 1, "text": "a", "at": T0}
    groups = _merged([[(UPDATE_CARD, p)], [(UPDATE_CARD, {**p, "text": "b"})], [(UPDATE_CARD, {**p, "cid": 2})]])
    assert groups is not None and [len(rows) for _, rows in groups] == [2]
    assert [r["text"] for r in groups[0][1]] == ["b", "a"]  # the later run for card 1 stands for both, in its place


# --- in the engine: a group of wizard steps -----------------------------------------------------------------


async def test_a_group_of_wizard_steps_writes_each_table_once_and_the_later_step_wins(
    engine: AiosqliteEngine, tmp_path: Path
) -> None:
    cipher = FieldCipher(bytes(range(32)))
    users = UserRepository(engine, CLOCK)
    drafts = ProfileRepository(engine, CLOCK, cipher)
    fsm = DatabaseStorage(engine, CLOCK, cipher)
    made = []
    for tid in (1, 2, 3):
        await users.get_or_create(tid)
        made.append(await drafts.create(tid, Relation.SELF))
        await fsm.set_state(StorageKey(bot_id=9, chat_id=tid, user_id=tid), "Apply:first")  # now cached

    async def step(n: int, where: str) -> None:
        async with transaction(engine):
            await drafts.save(made[n], made[n].draft, where)
            await fsm.set_state(StorageKey(bot_id=9, chat_id=n + 1, user_id=n + 1), f"Apply:{where}")

    async with traced(engine) as statements:
        await asyncio.gather(step(0, "a"), step(1, "b"), step(2, "c"), step(0, "d"))
    writes = [s for s in statements if not s.startswith(("BEGIN", "COMMIT"))]
    assert len(writes) == 2, statements  # one UPDATE ... FROM for the drafts, one INSERT for the states
    assert writes[0].startswith("WITH v(") and writes[1].startswith("INSERT INTO fsm_records")

    file = sqlite3.connect(tmp_path / "data" / "t.db")
    assert file.execute("SELECT id, step FROM profiles ORDER BY id").fetchall() == [
        (made[0].id, "d"), (made[1].id, "b"), (made[2].id, "c")]
    assert file.execute("SELECT key, state FROM fsm_records ORDER BY key").fetchall() == [
        ("9:1:1", "Apply:d"), ("9:2:2", "Apply:b"), ("9:3:3", "Apply:c")]
    file.close()
    restarted = ProfileRepository(engine, CLOCK, cipher)
    assert [(await restarted.get(p.id, p.owner_id)).step for p in made] == ["d", "b", "c"]  # type: ignore[union-attr]
