"""The outbox: dedup on enqueue, exclusive claims, crash recovery through the lease, retries and giving up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import FixedClock
from storage.db import create_engine, transaction
from storage.migrate import migrate
from storage.outbox import OutboxRepository, OutboxStatus

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def repo(engine: AsyncEngine, clock: FixedClock) -> OutboxRepository:
    return OutboxRepository(engine, clock)


async def enqueue(repo: OutboxRepository, key: str, *, chat_id: int = 42, due_at: datetime = START) -> bool:
    return await repo.enqueue(
        dedup_key=key, chat_id=chat_id, user_id=chat_id, kind="status_changed", payload='{"a": 1}', due_at=due_at
    )


async def test_enqueue_ignores_a_duplicate_key(repo: OutboxRepository) -> None:
    assert await enqueue(repo, "app:1:status:2") is True
    assert await repo.enqueue(
        dedup_key="app:1:status:2", chat_id=7, user_id=None, kind="other", payload="{}", due_at=START
    ) is False
    row = await repo.get_by_key("app:1:status:2")
    assert row is not None
    assert (row.chat_id, row.kind, row.payload, row.status, row.attempts) == (42, "status_changed", '{"a": 1}',
                                                                             OutboxStatus.PENDING, 0)
    assert row.due_at == START and row.created_at == START and row.due_at.tzinfo is not None
    assert await repo.pending_count() == 1


async def test_enqueue_inside_the_producers_transaction(repo: OutboxRepository, engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with transaction(engine):
            await repo.enqueue(dedup_key="k", chat_id=1, user_id=1, kind="k", payload="{}", due_at=START)
            raise RuntimeError("the producer failed: its push is rolled back with it")
    assert await repo.get_by_key("k") is None


async def test_only_due_rows_are_claimed_oldest_first(repo: OutboxRepository, clock: FixedClock) -> None:
    await enqueue(repo, "later", due_at=START + timedelta(hours=1))
    await enqueue(repo, "second", due_at=START - timedelta(minutes=1))
    await enqueue(repo, "first", due_at=START - timedelta(minutes=2))
    rows = await repo.claim_due(10, LEASE)
    assert [r.dedup_key for r in rows] == ["first", "second"]
    assert all(r.attempts == 1 and r.claimed_at == START and r.claim_token for r in rows)
    assert rows[0].claim_token == rows[1].claim_token
    for row in rows:
        assert row.claim_token is not None and await repo.mark_sent(row.id, row.claim_token)
    clock.advance(timedelta(hours=1))
    assert [r.dedup_key for r in await repo.claim_due(10, LEASE)] == ["later"]


async def test_concurrent_claims_never_share_a_row(repo: OutboxRepository, engine: AsyncEngine,
                                                   clock: FixedClock) -> None:
    for i in range(30):
        await enqueue(repo, f"k{i}", chat_id=1000 + i)
    other = OutboxRepository(engine, clock)  # a second sweeper on the same database
    batches = await asyncio.gather(repo.claim_due(20, LEASE), other.claim_due(20, LEASE), repo.claim_due(20, LEASE))
    ids = [r.id for batch in batches for r in batch]
    assert len(ids) == len(set(ids)) == 30
    assert await repo.claim_due(20, LEASE) == []


async def test_an_unfinished_claim_is_taken_again_only_after_the_lease(repo: OutboxRepository,
                                                                       clock: FixedClock) -> None:
    await enqueue(repo, "k")
    (first,) = await repo.claim_due(5, LEASE)  # ... and the process dies before marking it
    clock.advance(LEASE - timedelta(seconds=1))
    assert await repo.claim_due(5, LEASE) == []
    clock.advance(timedelta(seconds=2))
    (again,) = await repo.claim_due(5, LEASE)
    assert again.id == first.id and again.attempts == 2 and again.claim_token != first.claim_token
    # the dead claimer's late mark is refused: the row is someone else's now
    assert first.claim_token is not None and await repo.mark_sent(first.id, first.claim_token) is False
    assert again.claim_token is not None and await repo.mark_sent(again.id, again.claim_token) is True


async def test_sent_rows_never_come_back_even_after_a_restart(engine: AsyncEngine, clock: FixedClock,
                                                              tmp_path: Path) -> None:
    repo = OutboxRepository(engine, clock)
    await enqueue(repo, "a")
    await enqueue(repo, "b")
    for row in await repo.claim_due(10, LEASE):
        assert row.claim_token is not None
        assert await repo.mark_sent(row.id, row.claim_token)
    await engine.dispose()

    restarted = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")  # a new process over the same file
    try:
        await migrate(restarted)
        repo2 = OutboxRepository(restarted, clock)
        clock.advance(timedelta(days=30))
        assert await repo2.claim_due(10, LEASE) == []
        assert await enqueue(repo2, "a") is False  # producing the same push again changes nothing
        row = await repo2.get_by_key("a")
        assert row is not None and row.status is OutboxStatus.SENT and row.sent_at == START
        assert await repo2.pending_count() == 0
    finally:
        await restarted.dispose()


async def test_a_failed_attempt_is_rescheduled_then_given_up(engine: AsyncEngine, clock: FixedClock) -> None:
    repo = OutboxRepository(engine, clock, max_attempts=3)
    await enqueue(repo, "k")
    for attempt in (1, 2):
        (row,) = await repo.claim_due(5, LEASE)
        assert row.attempts == attempt and row.claim_token is not None
        retry_at = clock.now() + timedelta(minutes=5)
        assert await repo.mark_failed(row.id, row.claim_token, "TelegramServerError:5xx", retry_at=retry_at)
        again = await repo.get(row.id)
        assert again is not None and again.status is OutboxStatus.PENDING and again.due_at == retry_at
        assert again.claimed_at is None and again.last_error == "TelegramServerError:5xx"
        assert await repo.claim_due(5, LEASE) == []  # not before retry_at
        clock.advance(timedelta(minutes=5))
    (row,) = await repo.claim_due(5, LEASE)
    assert row.attempts == 3 and row.claim_token is not None
    await repo.mark_failed(row.id, row.claim_token, "TelegramServerError:5xx", retry_at=clock.now())
    final = await repo.get(row.id)
    assert final is not None and final.status is OutboxStatus.FAILED
    clock.advance(timedelta(days=1))
    assert await repo.claim_due(5, LEASE) == []


async def test_give_up_and_skip_are_final(repo: OutboxRepository) -> None:
    await enqueue(repo, "bad", chat_id=1)
    await enqueue(repo, "blocked", chat_id=2)
    bad, blocked = await repo.claim_due(5, LEASE)
    assert bad.claim_token is not None and blocked.claim_token is not None
    assert await repo.mark_failed(bad.id, bad.claim_token, "TelegramBadRequest:400", give_up=True)
    assert await repo.mark_skipped(blocked.id, blocked.claim_token, "TelegramForbiddenError:403")
    assert (await repo.get_by_key("bad")).status is OutboxStatus.FAILED  # type: ignore[union-attr]
    skipped = await repo.get_by_key("blocked")
    assert skipped is not None and skipped.status is OutboxStatus.SKIPPED and skipped.sent_at is None
    assert skipped.last_error == "TelegramForbiddenError:403"
    assert await repo.pending_count() == 0


async def test_a_row_whose_last_attempt_never_finished_fails_after_the_lease(engine: AsyncEngine,
                                                                            clock: FixedClock) -> None:
    repo = OutboxRepository(engine, clock, max_attempts=1)
    await enqueue(repo, "poison")
    assert len(await repo.claim_due(5, LEASE)) == 1  # the process dies while sending it
    clock.advance(LEASE + timedelta(seconds=1))
    assert await repo.claim_due(5, LEASE) == []  # attempts exhausted: not claimed again
    assert await repo.fail_exhausted(LEASE) == 1
    row = await repo.get_by_key("poison")
    assert row is not None and row.status is OutboxStatus.FAILED and row.last_error == "ClaimExpired"


async def test_release_gives_a_claim_back_without_counting_it(repo: OutboxRepository) -> None:
    await enqueue(repo, "k")
    (row,) = await repo.claim_due(5, LEASE)
    assert row.claim_token is not None and await repo.release(row.id, row.claim_token)
    (again,) = await repo.claim_due(5, LEASE)
    assert again.attempts == 1


async def test_naive_due_at_is_refused(repo: OutboxRepository) -> None:
    with pytest.raises(ValueError):
        await enqueue(repo, "k", due_at=datetime(2026, 11, 25, 9, 0))
