"""The log's second line of defence masks identifiers in tracebacks too, not only in messages."""

from __future__ import annotations

import io
import logging
import os
import re
from pathlib import Path

import pytest

from bot.logging_setup import log_handler

SNILS, PHONE = "112-233-445 95", "+7 916 123-45-67"


def test_a_traceback_holding_a_snils_is_logged_masked() -> None:
    out = io.StringIO()
    log = logging.getLogger("emk.test.masking")
    log.propagate = False
    log.addHandler(log_handler(out))
    try:
        try:
            raise ValueError(f"bad value {SNILS} for {PHONE}")
        except ValueError:
            log.exception("update %s failed", 17)
        try:
            raise KeyError(SNILS)
        except KeyError as exc:
            log.error("again: %s", type(exc).__name__, exc_info=exc, stack_info=True)
    finally:
        log.handlers.clear()
        log.propagate = True
    text = out.getvalue()
    assert "Traceback" in text and "ValueError: bad value [redacted] for [redacted]" in text
    assert "update 17 failed" in text and "Stack (most recent call last)" in text
    assert SNILS not in text and PHONE not in text


def test_under_journald_a_record_is_one_entry_with_its_priority_and_no_timestamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (tmp_path / "journal").open("w+") as stream:
        info = os.fstat(stream.fileno())
        log = logging.getLogger("emk.test.journal")
        log.propagate = False
        monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino}")
        log.addHandler(log_handler(stream))
        monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino + 1}")  # another stream: not the journal
        log.addHandler(log_handler(io.StringIO()))
        try:
            log.warning("started")
            try:
                raise ValueError(f"bad value {SNILS}")
            except ValueError:
                log.exception("update %s failed", 17)
        finally:
            log.handlers.clear()
            log.propagate = True
        stream.seek(0)
        lines = stream.read().splitlines()
    assert lines[0] == "<4>emk.test.journal: started"
    assert lines[1].startswith("<3>emk.test.journal: update 17 failed | Traceback (most recent call last): | ")
    assert lines[1].endswith("ValueError: bad value [redacted]") and len(lines) == 2


def test_outside_journald_the_time_is_logged() -> None:
    out = io.StringIO()
    handler = log_handler(out)
    handler.handle(logging.LogRecord("emk", logging.INFO, __file__, 1, "hello", None, None))
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO emk: hello", out.getvalue())


async def test_at_debug_the_database_drivers_calls_and_their_parameters_are_not_logged(tmp_path: Path) -> None:
    """aiosqlite logs every call into its thread at DEBUG with the call's arguments (the statements and their
    parameters); an operator who sets LOG_LEVEL=DEBUG must not get those in the log."""
    from bot.logging_setup import setup_logging
    from storage.db import create_engine
    from storage.migrate import migrate

    root = logging.getLogger()
    handlers, level, driver_level = root.handlers[:], root.level, logging.getLogger("aiosqlite").level
    stream = io.StringIO()
    try:
        setup_logging("DEBUG")
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
        await migrate(engine)
        await engine.dispose()
        logging.getLogger("emk.test").debug("debug lines of our own still go through")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("aiosqlite").setLevel(driver_level)
    assert "debug lines of our own still go through" in stream.getvalue()
    assert "aiosqlite" not in stream.getvalue() and "executing" not in stream.getvalue()
