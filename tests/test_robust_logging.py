"""The log's second line of defence masks identifiers in tracebacks too, not only in messages."""

from __future__ import annotations

import io
import logging

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
