"""Logging that never carries personal data.

Handlers log ids and codes only; as a second line of defence, a filter masks anything in a log record that
looks like a phone number, SNILS, passport or policy number, or an e-mail address.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # e-mail
    re.compile(r"\+?[78][\s(-]*9\d{2}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}"),  # Russian mobile phone
    re.compile(r"\b\d{3}-\d{3}-\d{3}[\s-]?\d{2}\b"),  # SNILS
    re.compile(r"\b\d{2}\s?\d{2}\s?\d{6}\b"),  # passport series + number
    re.compile(r"\b\d{16}\b"),  # OMS policy number (ENP)
    re.compile(r"\b\d{11}\b"),  # SNILS without separators
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    """Masks the message, the traceback and the stack of a record. The traceback is formatted here once
    and kept masked in `exc_text`, which formatters print instead of formatting `exc_info` again (an
    exception's message can hold what a person typed)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def log_handler(stream: TextIO | None = None) -> logging.Handler:
    """The bot's log handler: a stream (stderr by default) with the masking filter."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    return handler


def setup_logging(level: str) -> None:
    handler = log_handler()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every handled update at INFO; keep that at the operator's level but no lower than INFO.
    logging.getLogger("aiogram.event").setLevel(max(logging.INFO, logging.getLevelName(level)))
