from __future__ import annotations

import gc
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:  # imported by the fixtures: with xdist, the controller loads this file too and runs no test,
    # and `tests.harness` imports aiogram (~5 s of CPU before any worker is started)
    from tests.fakes.botapi import FakeBotAPI
    from tests.harness import World

# A property's examples are timed against hypothesis's 200 ms deadline by default: on a loaded 2-core machine
# (two xdist workers, a browser) a slow example fails a correct rule. Every property test runs without it, and
# without a local example database, so a run on a fresh clone is the run CI makes.
settings.register_profile("emk", deadline=None, database=None)
settings.load_profile("emk")

# The longest tests and their seconds (`pytest --durations`, 2-core machine at load ~2.5, Dec 2026): mostly real
# processes (`python -m bot` pays `import aiogram`, ~5 s of CPU) and long conversations. Started last, one
# of them kept its worker busy after the other had finished; started first, the short ones fill in around
# them. A test missing here (renamed, new) only runs in its usual place.
SLOW = {
    "tests/test_process.py::test_python_m_bot_answers_survives_kill_9_and_stops_on_sigterm": 14.9,
    "tests/test_share_browser.py": 6.7,  # a whole file moves: its browser is a module-scoped fixture
    "tests/test_robust_keys.py::test_python_m_bot_exits_2_with_one_line": 6.6,
    "tests/test_opkit.py::test_restore_refuses_a_folder_that_is_not_empty_and_says_how_to_get_the_keys": 5.7,
    "tests/test_db_lock.py::test_help_is_answered_at_once_while_a_wizard_answer_waits_for_the_lock": 3.2,
    "tests/test_opkit.py::test_backup_of_a_running_bot_restored_elsewhere_the_holder_goes_on": 2.9,
    "tests/test_booking.py::test_twenty_people_press_the_last_free_seat_at_once": 2.8,
    "tests/test_media_pool.py::test_a_check_past_its_budget_is_killed_and_the_pool_keeps_serving": 2.5,
    "tests/test_book_bot.py::test_issue_card_pdf_csv_and_check_for_an_adult_and_a_child": 2.2,
    "tests/domain/test_media.py::test_checks_are_safe_from_several_threads": 2.0,
    "tests/test_renewal.py::test_renewal_from_a_reminder_to_the_new_book": 1.9,
    "tests/test_opkit.py::test_check_refuses_a_database_from_a_newer_version_and_a_damaged_one": 1.8,
    "tests/test_opkit.py::test_check_reports_the_same_lines_as_start_up": 1.7,
    "tests/test_media_pool.py::test_ctrl_c_stops_the_pool_without_a_traceback": 1.5,
    "tests/test_book_staff.py::test_staff_issue_the_book_from_confirmed_exams_then_revoke_it": 1.4,
    "tests/test_exams.py::test_the_whole_exam_journey": 1.4,
    "tests/test_review.py::test_blocked_citizen_and_flood_control": 1.3,
    "tests/test_renewal.py::test_renewal_from_my_book_and_its_edges": 1.3,
    "tests/test_book_bot.py::test_check_by_a_photo_of_the_card": 1.2,
    "tests/test_db_lock.py::test_an_answer_that_cannot_wait_longer_is_answered_with_try_again": 1.2,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first, dealt out so that every xdist worker starts with its share of them.

    `--dist worksteal` first gives worker i the i-th of equal consecutive slices of the collection (the
    last slices take the remainder, as xdist computes it) and later steals from the end of a queue; so
    each slice starts with slow tests of about the same total, and the short tests keep their file order.
    Every worker computes the same order from the same collection, as xdist requires."""
    workers = max(1, int(getattr(config, "workerinput", {}).get("workercount", 1)))
    units: dict[str, list[pytest.Item]] = {}  # a slow test, or a slow file's tests in their order
    rest: list[pytest.Item] = []
    for item in items:
        key = item.nodeid if item.nodeid in SLOW else item.nodeid.split("::")[0]
        (units.setdefault(key, []) if key in SLOW else rest).append(item)
    if not units:
        return
    heads: list[list[pytest.Item]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for key in sorted(units, key=lambda key: -SLOW[key]):  # the longest first, each to the least loaded
        least = loads.index(min(loads))
        heads[least] += units[key]
        loads[least] += SLOW[key]
    ordered: list[pytest.Item] = []
    left = len(items)
    for i, head in enumerate(heads):
        size = left // (workers - i)  # xdist's split of what is still pending
        fill = max(0, size - len(head))
        ordered += head + rest[:fill]
        rest = rest[fill:]
        left -= size
    items[:] = ordered + rest


# The tests a worker has started; before the 2nd and the 10th, what is still alive is the session's (modules
# imported on first use, the template database, the media pool, parse caches), and is frozen again.
_STARTED = [0]


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (aiogram's ~440 pydantic models and every other imported
    module: ~400 000 objects) lives for the whole session: out of the collector's sight, as `python -m bot`
    does after start-up (gc.freeze). Every full collection walked them all, ~0.2 s each, a few dozen times a
    worker (bots and their dispatchers are cyclic garbage, freed only by full collections)."""
    gc.collect()
    gc.freeze()


def pytest_runtest_setup(item: pytest.Item) -> None:
    _STARTED[0] += 1
    if _STARTED[0] in (2, 10):
        gc.collect()
        gc.freeze()


@pytest.fixture(autouse=True, scope="session")
def one_tls_context() -> Iterator[None]:
    """aiogram's AiohttpSession loads certifi's CA bundle into a new SSL context for every Bot: ~27 ms of CPU,
    a fifth of starting a World, hundreds of times a run. The fake Bot API is plain HTTP on 127.0.0.1, and an
    SSLContext serves any number of connections, so the tests' Bots share one context per set of arguments."""
    import aiogram.client.session.aiohttp as session_module

    contexts: dict[str, ssl.SSLContext] = {}

    def shared(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        key = repr((args, sorted(kwargs.items())))
        if key not in contexts:
            contexts[key] = ssl.create_default_context(*args, **kwargs)
        return contexts[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_module, "ssl", SimpleNamespace(create_default_context=shared))
        yield


@pytest.fixture(autouse=True, scope="session")
def no_tls_grace_on_plain_http() -> Iterator[None]:
    """aiogram's AiohttpSession.close sleeps 250 ms for TLS connections to shut down gracefully. The tests that
    build a plain aiogram session (the notifier, the sweeper, the fake's own tests) talk plain HTTP to the fake
    on 127.0.0.1, where there is no TLS to wait for: closed at once, as bot/session.py's BotSession does for
    every http:// Bot API. About twenty closes a run, each a quarter of a second of a worker doing nothing."""
    import asyncio

    from aiogram.client.session.aiohttp import AiohttpSession

    original = AiohttpSession.close

    async def close(self: AiohttpSession) -> None:
        session = self._session
        if self.api.base.startswith("http://127.0.0.1:") and session is not None and not session.closed:
            await session.close()
            await asyncio.sleep(0)  # the transports' close callbacks run before the caller goes on
            return
        await original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AiohttpSession, "close", close)
        yield


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    from tests.fakes.botapi import FakeBotAPI

    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def world(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[World]:
    from tests.harness import World

    w = World(api=api, data_dir=tmp_path / "data")
    await w.start()
    try:
        yield w
    finally:
        await w.stop()
