"""Logging that never carries personal data.

Handlers log ids and codes only; as a second line of defence, a filter masks anything in a log record that
looks like a phone number, SNILS, passport or policy number, or an e-mail address.

Logs go to stderr. Under systemd (stderr is the journal's stream: JOURNAL_STREAM names its device and inode)
each record is one journal entry: no timestamp of ours (journald stamps every entry), the level as a syslog
priority prefix (`<3>` for ERROR, which `journalctl -p err` filters on), and a traceback folded into the
same line (its lines joined by " | ") instead of a dozen entries of its own. Elsewhere: one line per record
with the time, and tracebacks as Python prints them.
"""

from __future__ import annotations

import logging
import os
import re
import sys
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


_PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))  # syslog's


class JournalFormatter(logging.Formatter):
    """One journal entry per record: ``<priority>logger: message | traceback line | ...``, no timestamp."""

    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        priority = next((p for level, p in _PRIORITIES if record.levelno >= level), 7)  # 7: debug
        return f"<{priority}>" + " | ".join(line for line in super().format(record).splitlines() if line.strip())


def under_journald(stream: TextIO) -> bool:
    """Whether `stream` is the journal's stream systemd connected (JOURNAL_STREAM is "device:inode")."""
    device, _, inode = os.environ.get("JOURNAL_STREAM", "").partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        info = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # a stream with no file behind it
        return False
    return (info.st_dev, info.st_ino) == (int(device), int(inode))


def log_handler(stream: TextIO | None = None) -> logging.Handler:
    """The bot's log handler: a stream (stderr by default) with the masking filter, in the journal's format
    when systemd's journal is on the other end."""
    handler = logging.StreamHandler(stream)
    journal = under_journald(stream if stream is not None else sys.stderr)
    handler.setFormatter(JournalFormatter() if journal else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    return handler


def setup_logging(level: str) -> None:
    handler = log_handler()
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every handled update at INFO; keep that at the operator's level but no lower than INFO.
    logging.getLogger("aiogram.event").setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin at every start
    # aiosqlite logs every call into its thread at DEBUG with the call's arguments: the statements' parameters,
    # personal data among them. Never below INFO.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLevelName(level)))
