"""Throughput and latency of the bot's update handling, against a bare aiogram bot, in one run.

Three workloads, each N text updates from M users fed through a dispatcher the way polling feeds it
(users concurrently, each user's own messages in order), every reply a real HTTP sendMessage to a fake
Bot API on 127.0.0.1 running in a separate process (Telegram is not in the bot's process either, and the
fake's own HTML parsing must not be billed to the bot):

  bare     a bare aiogram Dispatcher with MemoryStorage and one handler that sends the same reply as the
           bot's /help (same text, a one-button keyboard): the baseline, on aiogram's own session;
  bare+json  the same bare bot on the bot's session (bot/session.py: replies as JSON bodies, not aiogram's
           urlencoded form): not a target, printed so that the bot's own machinery can be read apart from the
           cheaper requests it sends (the ratios "like for like"; its handler's `message.answer` still has
           Telegram's answer parsed into a Message, which the bot's screens skip: `for_effect`);
  persist  the real bot from the production factory (DB-backed FSM, user middleware, Fluent): /help;
  wizard   the real bot, application wizard steps: text → validate → save the encrypted draft → reply.

The three run side by side in every round (bare, persist, wizard, then the next round), so a noisy machine
hits all three alike; the summary gives each one's median and range over the rounds, and each round's ratio to
bare (median and range). Targets: persist ≥ 90 % and wizard ≥ 75 % of bare updates/s.
`cpu` is the bot process's CPU time per update (all threads: aiosqlite's included); "by CPU" is bare's CPU per
update over the workload's in the same round, steadier than updates/s on a machine shared with other work.
Both sides run after `bot/runtime.settle()` (gc.freeze() and a 0.5 ms GIL switch interval), as `python -m bot`
does, and share the Response models bot/session.py keeps alive: the bare baseline gets those fixes for free (the
switch interval changes nothing for it: it has no thread of its own), so the ratios do not flatter the bot.

`--profile` runs the three workloads once each under cProfile instead and prints where an update's CPU time
goes: SQL (with the repositories and the FSM storage), encryption, Fluent, keyboards, aiogram, HTTP, the event
loop, our handlers and rules. Time in built-ins and generic helpers (pydantic, json, ...) is charged to the
category of whoever called them. SQL run in aiosqlite's thread is not seen by cProfile; it is measured
separately as that thread's CPU time.

Run: `.venv/bin/python bench/updates.py [--users 50 --per-user 12 --rounds 5] [--profile]`.
The figures are printed, never asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
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
from bot.runtime import settle  # noqa: E402
from bot.session import BotSession  # noqa: E402
from domain.applicant import Citizenship, Draft, Relation, Sex  # noqa: E402
from domain.clock import SystemClock  # noqa: E402
from domain.consent import CONSENT_VERSION  # noqa: E402
from fsm.states import Apply  # noqa: E402
from tests.fakes.updates import TgUser, UpdateFactory  # noqa: E402

TOKEN = "123456789:AAEhBP0av28GBpLrSaZ1XGC3ns5JYUf-kWQ"
# The text steps from the passport number to the ОМС policy (the next step asks for a photo): each answer is
# checked, saved and moves the person one step on. A person answers these six; the workload takes as many
# people as it needs to make users x per-user updates, so every update is a real wizard step.
WIZARD_ANSWERS = ["4508 123456", "15.03.2010", "770-001", "ОВД района Арбат", "112-233-445 95", "7700000000000016"]
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
        f"{name:9} {len(latencies):6d} updates  {rate:8.1f} upd/s   "
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


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}–{fmt.format(max(values))}]"


class Bench:
    """The fake Bot API, the bare dispatcher and the real bot over a temporary database."""

    async def __aenter__(self) -> Bench:
        self.api = await RemoteAPI().__aenter__()
        self.factory = UpdateFactory()
        self.bare_dp = bare_dispatcher()
        self.bare_bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(self.api.base_url)))
        self.bare_json_bot = Bot(TOKEN, session=BotSession(api=TelegramAPIServer.from_base(self.api.base_url)))
        self.tmp = tempfile.TemporaryDirectory()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, BOT_TOKEN=TOKEN, BOT_API_URL=self.api.base_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{self.tmp.name}/emk.db", DATA_DIR=Path(self.tmp.name),
            OPERATOR_NAME="Bench clinic", OPERATOR_ADDRESS="Bench street 1", OPERATOR_CONTACT="bench@example.org",
        )
        self.deps = await create_deps(settings, SystemClock())
        self.dp, self.bot = create_dispatcher(self.deps), create_bot(settings)
        settle()  # as `python -m bot` does once everything is built: gc.freeze(), the GIL's switch interval
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.bot.session.close()
        await self.bare_bot.session.close()
        await self.bare_json_bot.session.close()
        await self.deps.close()
        self.tmp.cleanup()
        await self.api.__aexit__(*exc)

    def people(self, r: int, users: int, base: int = 7_000_000) -> list[TgUser]:
        return [TgUser(id=base + r * 10_000 + i, first_name="Анна") for i in range(users)]

    def wizard_people(self, r: int, users: int, per_user: int) -> list[TgUser]:
        """As many people as make users x per_user step answers, each answering the six text steps."""
        return self.people(r, -(-users * per_user // len(WIZARD_ANSWERS)), base=8_000_000)

    async def _help(self, dp: Dispatcher, bot: Bot, people: list[TgUser], per_user: int) -> tuple[float, list[float]]:
        await drive(dp, bot, [[self.factory.text(p, "/help")] for p in people[:5]])  # warm
        return await drive(dp, bot, [[self.factory.text(p, "/help") for _ in range(per_user)] for p in people])

    async def bare(self, people: list[TgUser], per_user: int) -> tuple[float, list[float]]:
        return await self._help(self.bare_dp, self.bare_bot, people, per_user)

    async def bare_json(self, people: list[TgUser], per_user: int) -> tuple[float, list[float]]:
        return await self._help(self.bare_dp, self.bare_json_bot, people, per_user)

    async def persist_ready(self, people: list[TgUser]) -> None:
        for p in people:
            await self.deps.users.get_or_create(p.id)
            await self.deps.users.accept_consent(p.id, CONSENT_VERSION)

    async def persist(self, people: list[TgUser], per_user: int) -> tuple[float, list[float]]:
        """The persistent bot: a text command answered through the full stack."""
        return await self._help(self.dp, self.bot, people, per_user)

    async def wizard_ready(self, people: list[TgUser]) -> None:
        await self.persist_ready(people)
        for p in people:
            await prepare_wizard(self.deps, self.dp, self.bot, p.id)

    async def wizard(self, people: list[TgUser]) -> tuple[float, list[float]]:
        """Every update is a step answer that is checked, saved (encrypted) and answered."""
        return await drive(self.dp, self.bot, [[self.factory.text(p, a) for a in WIZARD_ANSWERS] for p in people])


async def main(users: int, per_user: int, rounds: int) -> None:
    print(f"bench/updates.py: {users} users x {per_user} updates, concurrency {CONCURRENCY}, {rounds} rounds;"
          " replies over HTTP to a fake Bot API on 127.0.0.1 (separate process)")
    rates: dict[str, list[float]] = {"bare": [], "bare+json": [], "persist": [], "wizard": []}
    cpu: dict[str, list[float]] = {"bare": [], "bare+json": [], "persist": [], "wizard": []}
    ratios: dict[str, list[float]] = {"persist": [], "wizard": []}
    cpu_ratios: dict[str, list[float]] = {"persist": [], "wizard": []}  # bare's CPU per update / this one's
    like_for_like: dict[str, list[float]] = {"persist": [], "wizard": []}  # bare+json's CPU / this one's
    async with Bench() as b:
        for r in range(rounds):
            people = b.people(r, users)
            seconds, lat = await b.bare(people, per_user)
            base = report("bare", seconds, lat, None)
            rates["bare"].append(base)
            cpu["bare"].append(LAST_CPU / len(lat) * 1000)

            seconds, lat = await b.bare_json(b.people(r, users, base=6_000_000), per_user)
            rates["bare+json"].append(report("bare+json", seconds, lat, base))
            cpu["bare+json"].append(LAST_CPU / len(lat) * 1000)

            await b.persist_ready(people)
            seconds, lat = await b.persist(people, per_user)
            rates["persist"].append(report("persist", seconds, lat, base))
            cpu["persist"].append(LAST_CPU / len(lat) * 1000)

            walkers = b.wizard_people(r, users, per_user)
            await b.wizard_ready(walkers)
            seconds, lat = await b.wizard(walkers)
            rates["wizard"].append(report("wizard", seconds, lat, base))
            cpu["wizard"].append(LAST_CPU / len(lat) * 1000)
            for name in ratios:
                ratios[name].append(rates[name][-1] / base * 100)
                cpu_ratios[name].append(cpu["bare"][-1] / cpu[name][-1] * 100)
                like_for_like[name].append(cpu["bare+json"][-1] / cpu[name][-1] * 100)
    print(f"\nover {rounds} rounds, median [min–max]:")
    for name in rates:
        ratio = (f"   {spread(ratios[name])} % of bare in the same round"
                 f" (by CPU: {spread(cpu_ratios[name])} %; like for like, of bare+json by CPU:"
                 f" {spread(like_for_like[name])} %)" if name in ratios else "")
        print(f"  {name:9} {spread(rates[name]):>22} upd/s   cpu {spread(cpu[name], '{:.2f}'):>20} ms/upd{ratio}")
    targets = {"persist": 90, "wizard": 75}
    print("targets: " + ", ".join(
        f"{name} >= {t} % of bare: {'met' if statistics.median(ratios[name]) >= t else 'NOT met'}"
        f" (median {statistics.median(ratios[name]):.0f} %)" for name, t in targets.items()
    ))


# --- where the time goes ----------------------------------------------------------------------------------

CATEGORIES = [  # first match wins; a fragment of the function's file, relative to the project or the library
    ("SQL + repositories", ("sqlalchemy/", "aiosqlite/", "sqlite3/", "storage/", "fsm/storage.py")),
    ("encryption", ("cryptography/", "storage/crypto.py")),
    ("Fluent", ("fluent/", "babel/", "bot/i18n.py")),
    ("keyboards", ("bot/keyboards.py", "aiogram/utils/keyboard.py", "aiogram/filters/callback_data.py")),
    ("HTTP (aiohttp)", ("aiohttp/", "yarl/", "multidict/", "aiogram/client/session/", "urllib/", "http/")),
    ("aiogram", ("aiogram/", "magic_filter/")),
    ("event loop", ("asyncio/", "selectors.py", "concurrent/", "threading.py")),
    ("our handlers and rules", ("handlers/", "domain/", "fsm/", "bot/", "services/")),
]
GENERIC = ("~", "/pydantic/", "/pydantic_core/", "/json/", "typing.py", "enum.py", "abc.py", "functools.py",
           "dataclasses.py", "copy.py", "/re/", "contextlib.py", "weakref.py", "<", "/email_validator/")


def category(filename: str) -> str | None:
    """The category of a function by its file; None for generic code charged to its caller."""
    ours = filename.startswith(str(ROOT) + "/") and "site-packages/" not in filename  # never generic by name
    if filename == "~" or (not ours and any(g in filename for g in GENERIC)):
        return None
    path = filename.split("site-packages/")[-1]
    if path.startswith(str(ROOT)):
        path = path[len(str(ROOT)) + 1:]
    elif "/lib/python" in path:
        path = path.split("/lib/python")[-1].split("/", 1)[-1]
    if path.startswith("storage/crypto.py"):
        return "encryption"
    for name, fragments in CATEGORIES:
        if any(path.startswith(f) for f in fragments):
            return name
    return "other"


def charge(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per category; generic code's time goes to its callers' categories, split as
    cProfile saw the calls (up to a few levels up)."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}

    def give(func: Any, seconds: float, path: frozenset[Any]) -> None:
        own = category(func[0])
        callers = {c: v for c, v in raw[func][4].items() if c not in path}  # recursion: look past it
        by_time = sum(v[2] for v in callers.values())
        weight = by_time or sum(v[1] for v in callers.values())
        if own is not None or len(path) > 30 or not weight:
            totals[own or "other"] = totals.get(own or "other", 0.0) + seconds
            return
        for caller, v in callers.items():
            give(caller, seconds * (v[2] if by_time else v[1]) / weight, path | {func})

    for func, (_cc, _nc, tt, _ct, _callers) in raw.items():
        give(func, tt, frozenset())
    return totals


def thread_cpu_meter() -> dict[str, float]:
    """Count the CPU time the engine's threads spend in each hop (cProfile sees only the event loop's thread)."""
    from storage.db import _SqliteThread

    spent = {"seconds": 0.0}
    for name in ("unit_hop", "batch_hop", "read_hop"):
        original = getattr(_SqliteThread, name)

        def timed(self: Any, *args: Any, _original: Any = original) -> Any:
            t0 = time.thread_time()
            try:
                return _original(self, *args)
            finally:
                spent["seconds"] += time.thread_time() - t0

        setattr(_SqliteThread, name, timed)
    return spent


async def profile(users: int, per_user: int) -> None:
    in_thread = thread_cpu_meter()
    async with Bench() as b:
        await b.bare(b.people(0, users), per_user)  # warm both
        walkers = b.wizard_people(0, 10, len(WIZARD_ANSWERS))
        await b.wizard_ready(walkers)
        await b.wizard(walkers)
        people, walkers = b.people(1, users), b.wizard_people(1, users, per_user)
        await b.wizard_ready(walkers)
        results: dict[str, tuple[dict[str, float], int, float]] = {}
        await b.persist_ready(b.people(0, users))
        await b.persist(b.people(0, users), per_user)
        await b.persist_ready(people)
        for name in ("bare", "persist", "wizard"):
            profiler = cProfile.Profile(time.thread_time)  # CPU of the loop's thread: idle select() is free
            in_thread["seconds"] = 0.0
            run = {"bare": lambda: b.bare(people, per_user), "persist": lambda: b.persist(people, per_user),
                   "wizard": lambda: b.wizard(walkers)}[name]
            profiler.enable()
            _, lat = await run()
            profiler.disable()
            results[name] = (charge(pstats.Stats(profiler)), len(lat), in_thread["seconds"])
    names = [n for n, _ in CATEGORIES] + ["other"]
    runs = list(results)
    print("\nwhere an update's CPU time goes, µs per update (cProfile makes everything about 2x slower:"
          " compare the columns, not the totals with the plain run)\n" + " " * 28 + "".join(f"{n:>10}" for n in runs))

    def row(label: str, cells: list[float]) -> None:
        print(f"  {label:26}" + "".join(f"{c:>10.0f}" for c in cells))

    for cat in names:
        row(cat, [results[n][0].get(cat, 0.0) / results[n][1] * 1e6 for n in runs])
    row("SQL in aiosqlite's thread", [results[n][2] / results[n][1] * 1e6 for n in runs])
    row("total", [(sum(results[n][0].values()) + results[n][2]) / results[n][1] * 1e6 for n in runs])


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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="where a wizard step's time goes (cProfile)")
    args = parser.parse_args()
    run = profile(args.users, args.per_user) if args.profile else main(args.users, args.per_user, args.rounds)
    asyncio.run(run)
