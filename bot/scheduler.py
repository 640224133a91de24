"""Periodic work: APScheduler 3.11 started with the dispatcher and stopped with it.

The truth about what is due lives in the outbox table (storage/outbox.py), not in APScheduler's jobs: one
interval job sweeps the outbox (claim due rows, deliver each through the one sender, mark the outcome), so a
reminder that fell due while the bot was down goes out at the first sweep after start. Other periodic scans
(e.g. the 48-hour "stuck application" check, which enqueues outbox rows) are added as extra jobs.

Delivery guarantees: a row is marked sent only after Telegram accepted it, and claims are exclusive, so a row
is sent once across sweeps, processes and restarts. If the process dies between Telegram's answer and the mark,
the claim expires after the lease and the row is sent again (at-least-once in that one case: sent rows are
marked together every 50 ms, so at most the messages of that moment); a graceful shutdown waits for the
running sweep first. Nothing claimed is lost: a claim that is never finished expires after the lease.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.notifier import SendResult, SendStatus
from domain.clock import Clock
from storage.outbox import OutboxRepository, OutboxRow

__all__ = ["DEFAULT_BACKOFF", "OutboxSweeper", "setup_scheduler"]

log = logging.getLogger("emk.scheduler")

Deliver = Callable[[OutboxRow], Awaitable[SendResult]]
Job = Callable[[], Awaitable[Any]]

DEFAULT_BACKOFF: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


def _where(exc: BaseException) -> str:
    """The traceback's frames without the exception message (which may carry personal data)."""
    return "".join(traceback.format_tb(exc.__traceback__))


class OutboxSweeper:
    """Claims due outbox rows and hands each to `deliver` (the composition root renders the text from the row's
    kind and payload and sends it through the Notifier), then records the outcome:

    SENT → sent; BLOCKED → skipped (never retried); DEFERRED → due again at its `not_before`, the attempt not
    counted (the holder's quiet hours); RETRY_LATER, or `deliver` raising → rescheduled with
    `backoff` (1, 5, 30 minutes by default, or Telegram's retry_after if longer) until the repository's
    max_attempts, then failed; FAILED → failed at once.
    """

    def __init__(
        self,
        outbox: OutboxRepository,
        deliver: Deliver,
        *,
        clock: Clock,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=10),
        backoff: Iterable[timedelta] = DEFAULT_BACKOFF,
        max_batches: int = 1,
        mark_interval: float = 0.05,
    ) -> None:
        self.mark_interval = mark_interval
        self.outbox = outbox
        self.max_batches = max(1, max_batches)  # full batches one sweep drains: 10 000 reminders due at 10:00
        self.deliver = deliver
        self.clock = clock
        self.batch_size = batch_size
        self.lease = lease
        self.backoff = tuple(backoff) or DEFAULT_BACKOFF
        self._stopping = False
        self._running: set[asyncio.Task[Any]] = set()

    def retry_delay(self, attempts: int) -> timedelta:
        """Delay before the next try after `attempts` tries (1-based): backoff[attempts-1], the last one repeated."""
        return self.backoff[min(max(attempts, 1), len(self.backoff)) - 1]

    async def sweep_once(self) -> int:
        """One sweep; returns how many rows were handled. Never raises."""
        if self._stopping:
            return 0
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            return await self._sweep()
        except Exception as exc:
            log.error("outbox sweep failed: %s\n%s", type(exc).__name__, _where(exc))
            return 0
        finally:
            if task is not None:
                self._running.discard(task)

    async def _sweep(self) -> int:
        exhausted = await self.outbox.fail_exhausted(self.lease)
        if exhausted:
            log.warning("%s outbox rows failed: claimed for their last attempt and never finished", exhausted)
        total = 0
        sent: list[OutboxRow] = []
        done = asyncio.Event()
        marker = asyncio.create_task(self._mark_sent_every(sent, done))
        running: set[asyncio.Task[int]] = set()
        try:
            for _ in range(self.max_batches):  # the next batch only while the last one was full
                rows = await self.outbox.claim_due(self.batch_size, self.lease)
                # concurrently: the Notifier's limiter keeps the pace and the order within a chat
                running |= {asyncio.create_task(self._handle(row, sent)) for row in rows}
                if len(rows) < self.batch_size or self._stopping:
                    break
                # the next batch is claimed once half of this one is done: a slow row (a chat's flood wait)
                # does not hold the others back, and the sender never runs dry between batches
                while len(running) > self.batch_size // 2:
                    finished, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    total += sum(t.result() for t in finished)
            if running:
                finished, running = await asyncio.wait(running)
                total += sum(t.result() for t in finished)
        except asyncio.CancelledError:
            for task in running:  # shutting down past the grace: the unfinished claims expire after the lease
                task.cancel()
            raise
        finally:
            done.set()
            await marker  # the last marks, before the sweep returns
        return total

    async def _mark_sent_every(self, sent: list[OutboxRow], done: asyncio.Event) -> None:
        """Rows Telegram accepted are marked sent together every `mark_interval` (one commit for many: a commit
        a message caps the pace), and once more when the batch is over. A process killed between a send and
        its mark sends that row again after the lease: at most the messages of one interval."""
        finished = False
        while not finished:
            try:
                await asyncio.wait_for(done.wait(), self.mark_interval)
            except TimeoutError:
                pass
            finished = done.is_set()  # then every row of the batch is in `sent` already
            taken = sent[:]
            del sent[:]
            if not taken:
                continue
            claims: dict[str, list[int]] = {}
            for row in taken:  # one statement per claim: its token proves the rows are still ours
                claims.setdefault(row.claim_token or "", []).append(row.id)
            for token, ids in claims.items():
                try:
                    marked = await self.outbox.mark_sent_many(ids, token)
                except Exception as exc:
                    log.error("marking %s outbox rows sent failed: %s", len(ids), type(exc).__name__)
                    continue
                if marked < len(ids):
                    log.warning("%s outbox rows: claim lost before they were marked sent", len(ids) - marked)

    async def _handle(self, row: OutboxRow, sent: list[OutboxRow]) -> int:
        token = row.claim_token or ""
        try:
            if self._stopping:
                await self.outbox.release(row.id, token)
                return 0
            try:
                result = await self.deliver(row)
            except Exception as exc:
                log.error("outbox row %s (%s): delivery raised %s\n%s", row.id, row.kind, type(exc).__name__,
                          _where(exc))
                result = SendResult(SendStatus.RETRY_LATER, error=type(exc).__name__)
            if result.status is SendStatus.SENT:
                sent.append(row)  # marked with the others of its batch in a moment
            else:
                await self._record(row, token, result)
            return 1
        except Exception as exc:
            log.error("outbox row %s: could not record the outcome: %s", row.id, type(exc).__name__)
            return 0

    async def _record(self, row: OutboxRow, token: str, result: SendResult) -> None:
        if result.status is SendStatus.SENT:
            done = await self.outbox.mark_sent(row.id, token)
        elif result.status is SendStatus.BLOCKED:
            done = await self.outbox.mark_skipped(row.id, token, result.error or "Blocked")
        elif result.status is SendStatus.DEFERRED and result.not_before is not None:
            done = await self.outbox.defer(row.id, token, result.not_before)
        elif result.status is SendStatus.FAILED:
            log.warning("outbox row %s (%s) failed for good: %s", row.id, row.kind, result.error)
            done = await self.outbox.mark_failed(row.id, token, result.error or "Failed", give_up=True)
        else:
            delay = self.retry_delay(row.attempts)
            if result.retry_after is not None:
                delay = max(delay, timedelta(seconds=result.retry_after))
            done = await self.outbox.mark_failed(
                row.id, token, result.error or "RetryLater", retry_at=self.clock.now() + delay
            )
            if row.attempts >= self.outbox.max_attempts:
                log.warning("outbox row %s (%s) gave up after %s attempts: %s", row.id, row.kind, row.attempts,
                            result.error)
        if not done:
            log.warning("outbox row %s: claim lost before the outcome was recorded", row.id)

    async def stop(self, grace: float = 10.0) -> None:
        """No new sweeps; wait up to `grace` seconds for the running one, then cancel it (its unfinished claims
        expire after the lease)."""
        self._stopping = True
        await _drain(self._running, grace)

    def resume(self) -> None:
        self._stopping = False


class _Jobs:
    """Runs periodic jobs so that none raises into APScheduler and all can be drained at shutdown."""

    def __init__(self) -> None:
        self.running: set[asyncio.Task[Any]] = set()
        self.stopping = False

    def wrap(self, job: Job, name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if self.stopping:
                return
            task = asyncio.current_task()
            if task is not None:
                self.running.add(task)
            try:
                await job()
            except Exception as exc:
                log.error("job %s failed: %s\n%s", name, type(exc).__name__, _where(exc))
            finally:
                if task is not None:
                    self.running.discard(task)

        run.__name__ = run.__qualname__ = name
        return run

    async def drain(self, grace: float) -> None:
        self.stopping = True
        await _drain(self.running, grace)


async def _drain(tasks: set[asyncio.Task[Any]], grace: float) -> None:
    """Wait up to `grace` seconds for the tasks, then cancel what is left and wait for it to unwind."""
    running = {t for t in tasks if not t.done() and t is not asyncio.current_task()}
    if not running:
        return
    _, pending = await asyncio.wait(running, timeout=grace)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)


def _job_name(job: Job, index: int) -> str:
    name = getattr(job, "__qualname__", None) or getattr(job, "__name__", None) or "job"
    return f"extra-{index}-{name}"


def setup_scheduler(
    dp: Dispatcher,
    sweeper: OutboxSweeper,
    *,
    interval_seconds: float = 5.0,
    extra_jobs: Iterable[tuple[Job, float]] = (),
    shutdown_grace: float = 10.0,
) -> AsyncIOScheduler:
    """An AsyncIOScheduler with the outbox sweep every `interval_seconds` (first run at start) and each
    `(coroutine function, interval seconds)` of `extra_jobs`; started on dp.startup, stopped on dp.shutdown."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    jobs = _Jobs()
    plan: list[tuple[str, Job, float]] = [("outbox-sweep", sweeper.sweep_once, interval_seconds)]
    plan += [(_job_name(job, i), job, seconds) for i, (job, seconds) in enumerate(extra_jobs, start=1)]
    for name, _, seconds in plan:
        if seconds <= 0:
            raise ValueError(f"job {name}: the interval must be positive")

    async def start_scheduler() -> None:
        if scheduler.running:
            return
        sweeper.resume()
        jobs.stopping = False
        now = datetime.now(UTC)
        for name, job, seconds in plan:  # added at each start: a shut-down scheduler forgets its jobs
            scheduler.add_job(
                jobs.wrap(job, name),
                IntervalTrigger(seconds=seconds, timezone=UTC),
                id=name,
                name=name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(60, int(seconds * 10)),
                next_run_time=now,  # the first run at start: whatever fell due while the bot was down
                replace_existing=True,
            )
        scheduler.start()
        log.info("scheduler started: %s jobs", len(plan))

    async def stop_scheduler() -> None:
        await sweeper.stop(shutdown_grace)
        await jobs.drain(shutdown_grace)
        if scheduler.running:
            scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback
        log.info("scheduler stopped")

    dp.startup.register(start_scheduler)
    dp.shutdown.register(stop_scheduler)
    return scheduler
