"""Logging that never carries personal data.

Handlers log ids and codes only; as a second line of defence, a filter masks anything in a log record that
looks like a phone number, SNILS, passport or policy number, or an e-mail address.
"""

from __future__ import annotations

import logging
import re

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
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every handled update at INFO; keep that at the operator's level but no lower than INFO.
    logging.getLogger("aiogram.event").setLevel(max(logging.INFO, logging.getLevelName(level)))
