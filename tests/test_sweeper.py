"""The outbox sweeper and the scheduler: delivered once across sweeps and restarts, blocked people skipped,
failures rescheduled with backoff and then given up, started and stopped with the dispatcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.notifier import Notifier, SendResult, SendStatus
from bot.scheduler import OutboxSweeper, setup_scheduler
from domain.clock import FixedClock
from storage.db import create_engine
from storage.migrate import migrate
from storage.outbox import OutboxRepository, OutboxRow, OutboxStatus
from storage.users import UserRepository
from tests.fakes.botapi import FakeBotAPI

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CHAT = 5550001


@dataclass
class Process:
    """What one bot process holds: an engine over the database file and the repositories on it."""

    url: str
    clock: FixedClock
    max_attempts: int = 5
    engine: Any = None
    outbox: OutboxRepository = field(init=False)
    users: UserRepository = field(init=False)

    async def start(self) -> Process:
        self.engine = create_engine(self.url)
        await migrate(self.engine)
        self.outbox = OutboxRepository(self.engine, self.clock, max_attempts=self.max_attempts)
        self.users = UserRepository(self.engine, self.clock)
        return self

    async def stop(self) -> None:
        await self.engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def proc(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Process]:
    process = await Process(f"sqlite+aiosqlite:///{tmp_path}/t.db", clock, max_attempts=3).start()
    try:
        yield process
    finally:
        await process.stop()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
    try:
        yield bot
    finally:
        await bot.session.close()


async def no_sleep(_: float) -> None:
    await asyncio.sleep(0)


def notifier_for(bot: Bot, users: UserRepository) -> Notifier:
    return Notifier(bot, users, clock=users.clock, sleep=no_sleep)


def via(notifier: Notifier) -> Callable[[OutboxRow], Any]:
    async def deliver(row: OutboxRow) -> SendResult:
        return await notifier.send(row.chat_id, f"push {row.kind} #{row.id}", user_id=row.user_id)

    return deliver


async def enqueue(outbox: OutboxRepository, key: str, *, chat_id: int = CHAT, due_at: datetime = START) -> None:
    assert await outbox.enqueue(dedup_key=key, chat_id=chat_id, user_id=chat_id, kind="status_changed",
                                payload="{}", due_at=due_at)


def delivered_to(api: FakeBotAPI, chat_id: int) -> int:
    return sum(1 for c in api.calls_to("sendMessage") if c.ok and c.chat_id == chat_id)


async def test_a_due_row_goes_once_across_sweeps_and_a_restart(
    api: FakeBotAPI, bot: Bot, proc: Process, clock: FixedClock
) -> None:
    await enqueue(proc.outbox, "now")
    await enqueue(proc.outbox, "tomorrow", due_at=START + timedelta(days=1))
    sweeper = OutboxSweeper(proc.outbox, via(notifier_for(bot, proc.users)), clock=clock)
    assert await sweeper.sweep_once() == 1
    assert await sweeper.sweep_once() == 0
    assert delivered_to(api, CHAT) == 1
    row = await proc.outbox.get_by_key("now")
    assert row is not None and row.status is OutboxStatus.SENT and row.sent_at == START
    await proc.stop()

    again = await Process(proc.url, clock).start()  # the bot restarts over the same database
    try:
        sweeper = OutboxSweeper(again.outbox, via(notifier_for(bot, again.users)), clock=clock)
        assert await sweeper.sweep_once() == 0
        clock.advance(timedelta(days=1))
        assert await sweeper.sweep_once() == 1
        assert await sweeper.sweep_once() == 0
        assert delivered_to(api, CHAT) == 2
    finally:
        await again.stop()
        proc.engine = again.engine


async def test_a_blocked_persons_rows_are_skipped_for_good(
    api: FakeBotAPI, bot: Bot, proc: Process, clock: FixedClock
) -> None:
    await proc.users.get_or_create(CHAT)
    api.block_chat(CHAT)
    await enqueue(proc.outbox, "a")
    await enqueue(proc.outbox, "b")
    await enqueue(proc.outbox, "someone-else", chat_id=CHAT + 1)
    sweeper = OutboxSweeper(proc.outbox, via(notifier_for(bot, proc.users)), clock=clock)
    assert await sweeper.sweep_once() == 3
    for key in ("a", "b"):
        row = await proc.outbox.get_by_key(key)
        assert row is not None and row.status is OutboxStatus.SKIPPED and row.attempts == 1
    user = await proc.users.get(CHAT)
    assert user is not None and user.blocked_at is not None
    assert delivered_to(api, CHAT + 1) == 1
    assert len(api.calls_to("sendMessage")) == 2  # one 403; the second row was not even tried
    clock.advance(timedelta(days=3))
    assert await sweeper.sweep_once() == 0
    assert len(api.calls_to("sendMessage")) == 2


@dataclass
class Scripted:
    """A deliver function that answers from a script (or raises), counting calls."""

    script: list[SendResult | Exception]
    calls: list[int] = field(default_factory=list)

    async def __call__(self, row: OutboxRow) -> SendResult:
        self.calls.append(row.id)
        outcome = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


async def test_a_failing_delivery_is_retried_with_backoff_then_given_up(
    proc: Process, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    later = SendResult(SendStatus.RETRY_LATER, error="TelegramServerError:5xx")
    deliver = Scripted([later, RuntimeError("render failed for Иванов"), later])
    sweeper = OutboxSweeper(proc.outbox, deliver, clock=clock)
    await enqueue(proc.outbox, "k")

    assert await sweeper.sweep_once() == 1
    row = await proc.outbox.get_by_key("k")
    assert row is not None and row.status is OutboxStatus.PENDING
    assert row.due_at == START + timedelta(minutes=1) and row.last_error == "TelegramServerError:5xx"
    assert await sweeper.sweep_once() == 0  # not before its time

    clock.advance(timedelta(minutes=1))
    assert await sweeper.sweep_once() == 1  # delivery raised: treated as transient
    row = await proc.outbox.get_by_key("k")
    assert row is not None and row.due_at == clock.now() + timedelta(minutes=5) and row.last_error == "RuntimeError"
    assert all("Иванов" not in r.getMessage() for r in caplog.records)

    clock.advance(timedelta(minutes=5))
    assert await sweeper.sweep_once() == 1  # the third attempt of three
    row = await proc.outbox.get_by_key("k")
    assert row is not None and row.status is OutboxStatus.FAILED and row.attempts == 3
    clock.advance(timedelta(days=1))
    assert await sweeper.sweep_once() == 0
    assert len(deliver.calls) == 3


async def test_flood_control_longer_than_the_backoff_is_respected(proc: Process, clock: FixedClock) -> None:
    deliver = Scripted([SendResult(SendStatus.RETRY_LATER, error="TelegramRetryAfter:429", retry_after=900)])
    await enqueue(proc.outbox, "k")
    assert await OutboxSweeper(proc.outbox, deliver, clock=clock).sweep_once() == 1
    row = await proc.outbox.get_by_key("k")
    assert row is not None and row.due_at == START + timedelta(seconds=900)


async def test_a_permanent_failure_is_not_retried(proc: Process, clock: FixedClock) -> None:
    deliver = Scripted([SendResult(SendStatus.FAILED, error="TelegramBadRequest:400")])
    await enqueue(proc.outbox, "k")
    sweeper = OutboxSweeper(proc.outbox, deliver, clock=clock)
    assert await sweeper.sweep_once() == 1
    clock.advance(timedelta(days=1))
    assert await sweeper.sweep_once() == 0
    row = await proc.outbox.get_by_key("k")
    assert row is not None and row.status is OutboxStatus.FAILED and row.last_error == "TelegramBadRequest:400"


async def test_a_sweep_never_raises(proc: Process, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    class Broken(OutboxRepository):
        async def claim_due(self, limit: int, lease: timedelta) -> list[OutboxRow]:
            raise ConnectionError("database is gone")

    sweeper = OutboxSweeper(Broken(proc.engine, clock), Scripted([SendResult(SendStatus.SENT)]), clock=clock)
    with caplog.at_level(logging.ERROR, logger="emk.scheduler"):
        assert await sweeper.sweep_once() == 0
    assert any("ConnectionError" in r.getMessage() for r in caplog.records)


async def test_the_scheduler_runs_with_the_dispatcher(proc: Process, clock: FixedClock) -> None:
    sent = asyncio.Event()
    scans: list[int] = []

    async def deliver(row: OutboxRow) -> SendResult:
        await asyncio.sleep(0.05)  # still running when shutdown begins: waited for, not cut off
        sent.set()
        return SendResult(SendStatus.SENT)

    async def stuck_scan() -> None:
        scans.append(1)
        raise ValueError("a failing job does not stop the others")

    await enqueue(proc.outbox, "k")
    dp = Dispatcher()
    sweeper = OutboxSweeper(proc.outbox, deliver, clock=clock)
    scheduler = setup_scheduler(dp, sweeper, interval_seconds=0.05, extra_jobs=[(stuck_scan, 0.05)])
    assert not scheduler.running
    await dp.emit_startup()
    assert scheduler.running
    await asyncio.wait_for(sent.wait(), timeout=3)
    await dp.emit_shutdown()
    assert not scheduler.running
    assert scans
    row = await proc.outbox.get_by_key("k")
    assert row is not None and row.status is OutboxStatus.SENT
    assert await sweeper.sweep_once() == 0  # stopped
