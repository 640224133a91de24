"""Reminder delivery at a configured rate, a kill in the middle, and the sweep's claim at a million rows.

1. `deliver`: 10 000 reminders due now for 10 000 holders (each with a signed book and quiet hours off), sent
   by the bot's own code (create_deps, the Deliveries renderer, the one Notifier, the OutboxSweeper as the
   scheduler runs it) in a separate bot process, to a fake Bot API in another process that counts messages per
   chat and answers 429 (with retry_after) when the configured rate or one message a second per chat is
   exceeded. Printed: the achieved rate as a share of the configured one (target >= 90 %), 429s (target 0),
   lost and duplicated (target 0).
2. `kill`: the same, with the bot process SIGKILLed when about half is delivered and started again. The claims
   of the killed process expire after the lease (set to 5 s here; 10 minutes in production), so nothing is
   lost; a message Telegram accepted just before the kill, whose row was not yet marked, is sent again.
3. `claim`: the sweep's claim query over 1 000 000 reminder rows (half sent, half pending in the future) with
   1 000 due: milliseconds per claim of 50 (target <= 20 ms) and SQLite's EXPLAIN QUERY PLAN.

Run: `.venv/bin/python bench/reminders.py [--holders 10000 --rate 200] [--skip-kill] [--skip-claim]`.
The figures are printed, never asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import math
import os
import secrets
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "123456789:AAEhBP0av28GBpLrSaZ1XGC3ns5JYUf-kWQ"
BASE_ID = 20_000_000
LEASE_SECONDS = 5.0
SELF = Path(__file__).resolve()


# --- the fake Bot API (its own process) ---------------------------------------------------------------------


def serve_api(rate: float) -> None:
    """A counting Bot API: sendMessage answered like Telegram, or 429 past `rate`/s overall (bursts of a
    tenth of a second) or past one message a second per chat. Prints its URL; GET /stats gives the counts."""
    from aiohttp import web

    counts: dict[int, int] = {}
    stats = {"ok": 0, "429": 0, "429_chat": 0, "first": 0.0, "last": 0.0}
    bucket = {"tokens": max(5.0, rate / 10), "stamp": time.monotonic()}
    capacity = bucket["tokens"]
    chat_last: dict[int, float] = {}

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"].lower()
        if name == "getme":
            return web.json_response({"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "bench"}})
        data = dict(await request.post()) if request.body_exists else {}
        if not data and request.content_type == "application/json":
            data = await request.json()
        chat_id = int(str(data.get("chat_id", 0)))
        now = time.monotonic()
        bucket["tokens"] = min(capacity, bucket["tokens"] + (now - bucket["stamp"]) * rate)
        bucket["stamp"] = now
        wait = 0.0 if bucket["tokens"] >= 1 else (1 - bucket["tokens"]) / rate
        chat_wait = chat_last.get(chat_id, -1e9) + 1.0 - now
        if wait > 0 or chat_wait > 0:
            stats["429"] += 1
            stats["429_chat"] += int(chat_wait > 0)
            wait = max(wait, chat_wait)
            after = max(1, math.ceil(wait))
            return web.json_response({"ok": False, "error_code": 429, "parameters": {"retry_after": after},
                                      "description": f"Too Many Requests: retry after {after}"})
        bucket["tokens"] -= 1
        chat_last[chat_id] = now
        counts[chat_id] = counts.get(chat_id, 0) + 1
        stats["ok"] += 1
        stats["first"] = stats["first"] or now
        stats["last"] = now
        message = {"message_id": stats["ok"], "date": int(time.time()), "text": str(data.get("text", "")),
                   "chat": {"id": chat_id, "type": "private"}}
        return web.json_response({"ok": True, "result": message})

    async def report(_: web.Request) -> web.Response:
        return web.json_response({**stats, "counts": {str(k): v for k, v in counts.items()}})

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", method)
        app.router.add_get("/stats", report)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(f"http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes it
        await runner.cleanup()

    asyncio.run(main())


# --- the bot (its own process) -------------------------------------------------------------------------------


def settings_for(data_dir: Path, api_url: str, rate: float) -> Any:
    from bot.config import Settings

    return Settings(  # type: ignore[call-arg]
        _env_file=None, BOT_TOKEN=TOKEN, BOT_API_URL=api_url, DATA_DIR=data_dir, WEB_ENABLED=False,
        DATABASE_URL=f"sqlite+aiosqlite:///{data_dir / 'emk.db'}", NOTIFY_RATE=rate,
        OPERATOR_NAME="Bench clinic", OPERATOR_ADDRESS="Bench street 1", OPERATOR_CONTACT="bench@example.org",
    )


async def run_bot(data_dir: Path, api_url: str, rate: float) -> None:
    """Sweep as the scheduler does (every 0.2 s here instead of 5 s) until nothing is pending."""
    from bot.factory import create_bot, create_deps
    from bot.scheduler import OutboxSweeper

    settings = settings_for(data_dir, api_url, rate)
    deps = await create_deps(settings)
    bot = create_bot(settings)
    deps.deliveries.attach(bot, global_rate=settings.NOTIFY_RATE)
    sweeper = OutboxSweeper(deps.outbox, deps.deliveries.deliver, clock=deps.clock, max_batches=200,
                            lease=timedelta(seconds=LEASE_SECONDS))
    cpu = time.process_time()
    profiler = None
    if os.environ.get("BENCH_PROFILE"):  # where the event loop's time goes while sending (not start-up)
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        while True:
            if await sweeper.sweep_once() == 0:
                if await deps.outbox.pending_count() == 0:
                    break
                await asyncio.sleep(0.2)
    finally:
        print(time.process_time() - cpu, flush=True)  # this process's CPU seconds (all threads)
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(35)
        await bot.session.close()
        await deps.close()


# --- the orchestra -------------------------------------------------------------------------------------------


async def populate(data_dir: Path, holders: int) -> None:
    """Holders with a signed book each (a periodic exam running out today), quiet hours off, and one reminder
    due now per holder, written as replan writes them."""
    from sqlalchemy import insert

    from bot.factory import create_deps
    from domain.book import Book, Entry, EntryKind, book_canonical, format_book_number, sign_canonical
    from domain.consent import CONSENT_VERSION
    from storage.books import books, row_name
    from storage.db import transaction
    from storage.outbox import outbox
    from storage.reminders import notification_settings
    from storage.signing import load_or_create_signing_key
    from storage.tables import users

    deps = await create_deps(settings_for(data_dir, "http://127.0.0.1:9", 25))
    key = load_or_create_signing_key(None, data_dir / "signing.key")  # the one create_deps made
    now = datetime.now(UTC)
    today = now.date()
    user_rows, setting_rows, book_rows = [], [], []
    for i in range(holders):
        uid = BASE_ID + i
        user_rows.append({"telegram_id": uid, "locale": "ru" if i % 2 else "en", "created_at": now,
                          "updated_at": now, "consent_version": CONSENT_VERSION, "consent_at": now})
        setting_rows.append({"owner_id": uid, "disabled": "", "quiet": "off", "zone": None, "updated_at": now})
        book = Book(number=format_book_number(2026, i + 1), check_id=secrets.token_urlsafe(16), surname="Ivanova",
                    name="Anna", patronymic=None, birth_date=date(1990, 2, 1), photo_sha256=None,
                    issued_on=today - timedelta(days=365), issuer="Bench",
                    entries=(Entry("therapist", EntryKind.DOCTOR, today - timedelta(days=365), "fit", "Clinic 5",
                                   today, title_key="exam-therapist"),), required=("therapist",))
        canonical = book_canonical(book)
        book_rows.append({
            "id": i + 1, "number": book.number, "year": 2026, "seq": i + 1, "check_id": book.check_id,
            "owner_id": uid, "profile_id": None, "application_id": None, "photo_upload_id": None, "status": "valid",
            "content": deps.cipher.encrypt(canonical.decode(), context="book", row=row_name(book.check_id)),
            "signature": base64.b64encode(sign_canonical(canonical, key)).decode(), "issued_at": now,
            "updated_at": now,
        })
    reminder_rows = []
    for i in range(holders):
        dedup = f"rem:book:{i + 1}:exam:{today.isoformat()}:0"
        payload = {"subject": f"book:{i + 1}", "kind": "exam", "ends_on": today.isoformat(), "offset": 0,
                   "items": ["exam-therapist"], "buttons": ["book_exam", "upload"]}
        reminder_rows.append({
            "dedup_key": dedup, "chat_id": BASE_ID + i, "user_id": BASE_ID + i, "kind": "reminder",
            "payload": deps.services.pushes._seal(dedup, payload), "due_at": now - timedelta(seconds=1),
            "attempts": 0, "status": "pending", "created_at": now,
        })
    async with transaction(deps.engine) as conn:
        await conn.execute(insert(users), user_rows)
        await conn.execute(insert(notification_settings), setting_rows)
        await conn.execute(insert(books), book_rows)
        await conn.execute(insert(outbox), reminder_rows)
    await deps.close()


class Child:
    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> str:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(SELF), *self.args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        return (await self.proc.stdout.readline()).decode().strip()


async def stats_of(api_url: str) -> dict[str, Any]:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(f"{api_url}/stats") as response:
        return dict(await response.json())


async def delivery(holders: int, rate: float, *, kill: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        started = time.monotonic()
        await populate(data_dir, holders)
        print(f"  {holders} holders, books and due reminders written in {time.monotonic() - started:.1f} s")
        api = Child("--serve-api", "--rate", str(rate))
        api_url = await api.start()
        bot_args = ("--run-bot", "--data", str(data_dir), "--api", api_url, "--rate", str(rate))
        bot = Child(*bot_args)
        await bot.start()
        assert bot.proc is not None
        killed_at = None
        if kill:
            for _ in range(100_000):  # poll the fake's counters until half is delivered
                if (await stats_of(api_url))["ok"] >= holders // 2 or bot.proc.returncode is not None:
                    break
                await asyncio.sleep(0.05)
            os.kill(bot.proc.pid, signal.SIGKILL)
            await bot.proc.wait()
            killed_at = (await stats_of(api_url))["ok"]
            bot = Child(*bot_args)
            await bot.start()
            assert bot.proc is not None
        assert bot.proc.stdout is not None
        cpu = float((await bot.proc.stdout.readline()).decode().strip() or "nan")
        await bot.proc.wait()
        stats = await stats_of(api_url)
        assert api.proc is not None and api.proc.stdin is not None
        api.proc.stdin.close()
        await api.proc.wait()
    counts = {int(k): v for k, v in stats["counts"].items()}
    lost = sum(1 for i in range(holders) if counts.get(BASE_ID + i, 0) == 0)
    duplicated = sum(v - 1 for v in counts.values() if v > 1)
    span = max(stats["last"] - stats["first"], 1e-9)
    achieved = (stats["ok"] - 1) / span
    label = "kill -9 at half, restart" if kill else "steady"
    print(f"  {label}: {stats['ok']} messages in {span:.1f} s = {achieved:.1f}/s of {rate:.0f}/s configured "
          f"({100 * achieved / rate:.1f} %), 429s {stats['429']} ({stats['429_chat']} per chat), lost {lost}, "
          f"duplicated {duplicated}"
          + (f" (killed after {killed_at} delivered; the restart waits out the {LEASE_SECONDS:.0f} s lease)"
             if kill else f"; the bot process's CPU {1000 * cpu / max(stats['ok'], 1):.2f} ms a message"))


# --- the claim at a million rows -----------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def claim_bench(total: int, due: int) -> None:
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from domain.clock import SystemClock
    from storage.db import create_engine
    from storage.migrate import migrate
    from storage.outbox import OutboxRepository

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "emk.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        await engine.dispose()
        now = datetime.now(UTC)
        started = time.monotonic()
        raw = sqlite3.connect(path)
        created = _stamp(now)

        def rows() -> Any:
            for i in range(total):
                if i < due:
                    status, at = "pending", now - timedelta(seconds=1 + i)
                elif i % 2:
                    status, at = "sent", now - timedelta(minutes=i % 500_000)
                else:
                    status, at = "pending", now + timedelta(minutes=1 + i % 500_000)
                yield (f"rem:book:{i}:exam:2027-01-01:{i % 5}", BASE_ID + i % 100_000, BASE_ID + i % 100_000,
                       "reminder", "x", _stamp(at), status, created)

        raw.executemany("INSERT INTO outbox (dedup_key, chat_id, user_id, kind, payload, due_at, status, attempts,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)", rows())
        raw.commit()
        raw.execute("ANALYZE")
        raw.close()
        print(f"  {total} outbox rows ({due} due) written in {time.monotonic() - started:.1f} s")

        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        repo = OutboxRepository(engine, SystemClock())
        timings = []
        claimed = 0
        while True:
            t0 = time.perf_counter()
            batch = await repo.claim_due(50, timedelta(minutes=10))
            timings.append((time.perf_counter() - t0) * 1000)
            claimed += len(batch)
            if not batch:
                break
        await engine.dispose()
        timings.sort()
        print(f"  claim of 50: median {timings[len(timings) // 2]:.2f} ms, worst {timings[-1]:.2f} ms over "
              f"{len(timings)} claims ({claimed} rows claimed; the last claim finds none)")

        # The plan of the claim as the repository builds it.
        repo = OutboxRepository(create_engine(f"sqlite+aiosqlite:///{path}"), SystemClock())
        from sqlalchemy import and_, or_, select

        from storage.outbox import OutboxStatus, outbox

        lease_end = now - timedelta(minutes=10)
        query = (select(outbox.c.id).where(and_(
            outbox.c.status == OutboxStatus.PENDING.value, outbox.c.due_at <= now,
            outbox.c.attempts < repo.max_attempts,
            or_(outbox.c.claimed_at.is_(None), outbox.c.claimed_at < lease_end),
        )).order_by(outbox.c.due_at, outbox.c.id).limit(50))
        compiled = query.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True})
        raw = sqlite3.connect(path)
        plan = raw.execute(f"EXPLAIN QUERY PLAN {compiled}").fetchall()
        raw.close()
        await repo.engine.dispose()
        for row in plan:
            print(f"  plan: {row[-1]}")


async def main(args: argparse.Namespace) -> None:
    print(f"reminders: {args.holders} holders at {args.rate:.0f} messages/s")
    await delivery(args.holders, args.rate, kill=False)
    if not args.skip_kill:
        await delivery(args.holders, args.rate, kill=True)
    if not args.skip_claim:
        print(f"claim: {args.rows} rows, {args.due} due")
        await claim_bench(args.rows, args.due)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--skip-claim", action="store_true")
    parser.add_argument("--serve-api", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_api:
        serve_api(args.rate)
    elif args.run_bot:
        print("bot", flush=True)
        asyncio.run(run_bot(args.data, args.api, args.rate))
    else:
        asyncio.run(main(args))
