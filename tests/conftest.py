from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import settings

from tests.fakes.botapi import FakeBotAPI
from tests.harness import World

# A property's examples are timed against hypothesis's 200 ms deadline by default: on a loaded 2-core machine
# (two xdist workers, a browser) a slow example fails a correct rule. Every property test runs without it, and
# without a local example database, so a run on a fresh clone is the run CI makes.
settings.register_profile("emk", deadline=None, database=None)
settings.load_profile("emk")

# The longest tests and their seconds (`pytest --durations`, quiet 2-core machine, Dec 2026): mostly real
# processes (`python -m bot` pays `import aiogram`, ~5 s of CPU) and long conversations. Started last, one
# of them kept its worker busy after the other had finished; started first, the short ones fill in around
# them. A test missing here (renamed, new) only runs in its usual place.
SLOW = {
    "tests/test_process.py::test_python_m_bot_answers_survives_kill_9_and_stops_on_sigterm": 15.0,
    "tests/test_robust_keys.py::test_python_m_bot_exits_2_with_one_line": 7.8,
    "tests/test_book_bot.py::test_check_by_a_photo_of_the_card": 6.0,
    "tests/test_opkit.py::test_restore_refuses_a_folder_that_is_not_empty_and_says_how_to_get_the_keys": 5.9,
    "tests/test_staff_review.py::test_staff_see_and_confirm_a_manual_payment": 4.1,
    "tests/test_share_browser.py": 8.0,  # a whole file moves: its browser is a module-scoped fixture
    "tests/test_booking.py::test_twenty_people_press_the_last_free_seat_at_once": 3.8,
    "tests/test_opkit.py::test_backup_of_a_running_bot_restored_elsewhere_the_holder_goes_on": 3.5,
    "tests/test_db_lock.py::test_help_is_answered_at_once_while_a_wizard_answer_waits_for_the_lock": 3.2,
    "tests/test_book_bot.py::test_issue_card_pdf_csv_and_check_for_an_adult_and_a_child": 2.6,
    "tests/test_opkit.py::test_check_refuses_a_database_from_a_newer_version_and_a_damaged_one": 2.4,
    "tests/test_opkit.py::test_check_reports_the_same_lines_as_start_up": 2.3,
    "tests/test_media_pool.py::test_a_check_past_its_budget_is_killed_and_the_pool_keeps_serving": 2.3,
    "tests/domain/test_media.py::test_checks_are_safe_from_several_threads": 2.2,
    "tests/test_renewal.py::test_renewal_from_a_reminder_to_the_new_book": 2.1,
    "tests/domain/test_media.py::test_mutated_files_never_raise": 2.0,
    "tests/domain/test_text.py::test_clean_text_leaves_no_invisible_characters_and_is_idempotent": 2.0,
    "tests/test_media_pool.py::test_ctrl_c_stops_the_pool_without_a_traceback": 1.9,
    "tests/test_renewal.py::test_renewal_from_my_book_and_its_edges": 1.8,
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


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def world(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[World]:
    w = World(api=api, data_dir=tmp_path / "data")
    await w.start()
    try:
        yield w
    finally:
        await w.stop()
