"""Throughput and latency of the bot's update handling, against a bare aiogram bot, in one run.

Three workloads, each N text updates from M users fed through a dispatcher the way polling feeds it
(users concurrently, each user's own messages in order), every reply a real HTTP sendMessage to a fake
Bot API on 127.0.0.1 running in a separate process (Telegram is not in the bot's process either, and the
fake's own HTML parsing must not be billed to the bot):

  bare     a bare aiogram Dispatcher with MemoryStorage and one handler that sends the same reply as the
           bot's /help (same text, a one-button keyboard): the baseline;
  persist  the real bot from the production factory (DB-backed FSM, user middleware, Fluent): /help;
  wizard   the real bot, application wizard steps: text → validate → save the encrypted draft → reply.

Run: `.venv/bin/python bench/updates.py [--users 50 --per-user 12]`. Target: persist and wizard ≥ 50 % of
bare updates/s. The figures are printed, never asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, Router  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402
from aiogram.fsm.storage.memory import MemoryStorage  # noqa: E402
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.factory import create_bot, create_deps, create_dispatcher  # noqa: E402
from bot.i18n import Translator  # noqa: E402
from domain.applicant import Citizenship, Draft, Relation, Sex  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from domain.consent import CONSENT_VERSION  # noqa: E402
from fsm.states import Apply  # noqa: E402
from tests.fakes.updates import TgUser, UpdateFactory  # noqa: E402

TOKEN = "123456789:AAEhBP0av28GBpLrSaZ1XGC3ns5JYUf-kWQ"
WIZARD_ANSWERS = [
    "4508 123456", "15.03.2010", "770-001", "ОВД района Арбат", "112-233-445 95", "7700000000000016",
    "ООО Ромашка", "7707083893", "1027700132195", "00032537", "повар", "01.12.2026",
]
CONCURRENCY = 32  # as POLLING_CONCURRENCY
LAST_CPU = 0.0  # CPU seconds the bot process spent in the last drive()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(
    dp: Dispatcher, bot: Bot, per_user: list[list[dict[str, Any]]]
) -> tuple[float, list[float]]:
    """Feed every user's updates in order, users concurrently (bounded like polling); return (seconds, latencies)."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one_user(updates: list[dict[str, Any]]) -> None:
        for update in updates:
            async with gate:
                t0 = time.perf_counter()
                await dp.feed_raw_update(bot, update)
                latencies.append(time.perf_counter() - t0)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one_user(u) for u in per_user))
    global LAST_CPU
    LAST_CPU = time.process_time() - cpu
    return time.perf_counter() - start, latencies


def report(name: str, seconds: float, latencies: list[float], base: float | None) -> float:
    rate = len(latencies) / seconds
    ratio = f"{rate / base:6.1%} of bare" if base else "baseline"
    print(
        f"{name:8} {len(latencies):6d} updates  {rate:8.1f} upd/s   "
        f"p50 {statistics.median(latencies) * 1000:6.1f} ms  p95 {percentile(latencies, 0.95) * 1000:6.1f} ms  "
        f"p99 {percentile(latencies, 0.99) * 1000:6.1f} ms  "
        f"cpu {LAST_CPU / len(latencies) * 1000:5.2f} ms/upd   {ratio}"
    )
    return rate


def bare_dispatcher() -> Dispatcher:
    """The baseline: plain aiogram, MemoryStorage, one handler that sends the same reply the bot sends for
    /help (the same text and a one-button keyboard), so both sides pay Telegram the same and the difference
    is the bot's own machinery: persistent FSM, user and locale middleware, Fluent, routers."""
    router = Router()
    text = Translator().get("ru", "help-text")

    @router.message()
    async def answer(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="В меню", callback_data="menu:open")]]
        )
        await message.answer(text, reply_markup=keyboard)

    dp = Dispatcher(storage=MemoryStorage())
    dp.include_router(router)
    return dp


SERVER = """
import asyncio, sys
sys.path.insert(0, {root!r})
from tests.fakes.botapi import FakeBotAPI

async def main():
    async with FakeBotAPI() as api:
        print(api.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        bad = [c for c in api.calls if c.status != 200]
        print(f"fake Bot API: {{len(api.calls)}} calls, {{len(bad)}} not answered 200", flush=True)

asyncio.run(main())
"""


class RemoteAPI:
    """The fake Bot API in its own process; `base_url` is where it listens."""

    async def __aenter__(self) -> RemoteAPI:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SERVER.format(root=str(ROOT)),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        self.base_url = (await self.proc.stdout.readline()).decode().strip()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        print((await self.proc.stdout.read()).decode().strip())
        await self.proc.wait()


async def main(users: int, per_user: int, rounds: int) -> None:
    print(f"bench/updates.py: {users} users x {per_user} updates, concurrency {CONCURRENCY}, {rounds} rounds;"
          " replies over HTTP to a fake Bot API on 127.0.0.1 (separate process)")
    rates: dict[str, list[float]] = {"bare": [], "persist": [], "wizard": []}
    async with RemoteAPI() as api:
        factory = UpdateFactory()
        bare_dp = bare_dispatcher()
        bare_bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None, BOT_TOKEN=TOKEN, BOT_API_URL=api.base_url,
                DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/emk.db", DATA_DIR=Path(tmp),
            )
            deps = await create_deps(settings, SystemClock())
            dp, bot = create_dispatcher(deps), create_bot(settings)
            for r in range(rounds):
                people = [TgUser(id=7_000_000 + r * 10_000 + i, first_name="Анна") for i in range(users)]
                warm = [[factory.text(p, "/help")] for p in people[:5]]

                # bare aiogram: the baseline
                await drive(bare_dp, bare_bot, warm)
                seconds, lat = await drive(
                    bare_dp, bare_bot, [[factory.text(p, "/help") for _ in range(per_user)] for p in people]
                )
                base = report("bare", seconds, lat, None)
                rates["bare"].append(base)

                # the persistent bot: a text command answered through the full stack
                for p in people:
                    await deps.users.get_or_create(p.id)
                    await deps.users.accept_consent(p.id, CONSENT_VERSION)
                await drive(dp, bot, warm)
                updates = [[factory.text(p, "/help") for _ in range(per_user)] for p in people]
                seconds, lat = await drive(dp, bot, updates)
                rates["persist"].append(report("persist", seconds, lat, base))

                # the wizard: every update is a step answer that is checked, saved (encrypted) and answered
                for p in people:
                    await prepare_wizard(deps, dp, bot, p.id)
                steps = WIZARD_ANSWERS[:per_user]
                seconds, lat = await drive(dp, bot, [[factory.text(p, a) for a in steps] for p in people])
                rates["wizard"].append(report("wizard", seconds, lat, base))
            await bot.session.close()
            await bare_bot.session.close()
            await deps.close()
    bare = statistics.median(rates["bare"])
    print("median over rounds: " + ", ".join(
        f"{name} {statistics.median(v):.0f} upd/s ({statistics.median(v) / bare:.0%} of bare)"
        for name, v in rates.items()
    ))


async def prepare_wizard(deps: Any, dp: Dispatcher, bot: Bot, user_id: int) -> None:
    """A consented user whose draft is filled up to the identity document, waiting at that step."""
    profile = await deps.profiles.create(user_id, Relation.SELF)
    draft = Draft(
        relation=Relation.SELF, phone="+79161234567", surname="Иванова", name="Анна",
        birth_date=date(1990, 2, 1), sex=Sex.FEMALE, citizenship=Citizenship.RU,
        postal_index="123456", address="123456, г. Москва, ул. Ленина, д. 1", category="food",
        email_skipped=True, patronymic_skipped=True,
    )
    await deps.profiles.save(profile, draft, "passport_number")
    ctx = dp.fsm.get_context(bot, chat_id=user_id, user_id=user_id)
    await ctx.set_state(Apply.passport_number)
    await ctx.set_data({"profile_id": profile.id})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--per-user", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.users, min(args.per_user, len(WIZARD_ANSWERS)), args.rounds))
