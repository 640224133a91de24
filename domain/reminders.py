"""What reminder is due when: the rules, pure (no I/O, no aiogram), with the holder's zone and quiet hours.

A reminder is planned from *terms*: a date something stops being valid (the book itself where the operator's
policy gives it a validity; each entry with a ``valid_until`` — a periodic exam or test, the hygiene
attestation, a vaccination with a term; an official ELMK the holder added). Entries of one kind that run out on
the same day are one term, so a periodic exam of ten items is one reminder, not ten.

For each term and each offset of the policy (60, 30, 7, 1 and 0 days before by default) the reminder is due on
``ends_on - offset`` at :data:`REMINDER_TIME` in the holder's zone, moved out of their quiet hours to the end
of them; one whose moment has passed is not planned. Its deduplication key names the subject (book or ELMK),
the kind, the term and the offset, so planning again gives the same keys, and a key that was sent is never
sent again (the outbox's unique key).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from domain.book import Book, Entry, EntryKind
from domain.exams import add_months
from domain.person import is_minor

__all__ = [
    "DEFAULT_QUIET",
    "REMINDER_TIME",
    "RUSSIAN_ZONES",
    "Button",
    "NotificationSettings",
    "PlannedReminder",
    "QuietHours",
    "ReminderKind",
    "Term",
    "book_terms",
    "book_validity_end",
    "entry_kind",
    "is_quiet",
    "keeps_quiet_hours",
    "parse_quiet_hours",
    "parse_zone",
    "plan",
    "settle",
]

REMINDER_TIME: Final = time(10, 0)
"""The local time a validity reminder is planned for: morning, well after the default quiet hours end."""


class ReminderKind(StrEnum):
    """What a holder can switch on or off. Status pushes (and requested documents) are not here: always on."""

    BOOK = "book"  # the book's own validity (where the policy gives one)
    EXAM = "exam"  # periodic exam items and tests running out; an added ELMK's term
    ATTESTATION = "attestation"  # hygiene attestation running out
    VACCINATION = "vaccination"  # a vaccination with a term running out
    APPOINTMENT = "appointment"  # the day before and two hours before a booked exam
    STUCK = "stuck"  # an application waiting for the organisation longer than usual


class Button(StrEnum):
    """Which flow a reminder's button starts."""

    RENEW = "renew"  # «Продлить»
    BOOK_EXAM = "book_exam"  # «Записаться»
    UPLOAD = "upload"  # «Загрузить результат»


BUTTONS: Final[dict[ReminderKind, tuple[Button, ...]]] = {
    ReminderKind.BOOK: (Button.RENEW,),
    ReminderKind.EXAM: (Button.BOOK_EXAM, Button.UPLOAD),
    ReminderKind.ATTESTATION: (Button.UPLOAD,),
    ReminderKind.VACCINATION: (Button.UPLOAD,),
}


@dataclass(frozen=True, slots=True)
class QuietHours:
    """[start, end) local time, wrapping past midnight; start == end would mean none (not stored: None is)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours need different start and end")

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


DEFAULT_QUIET: Final = QuietHours(time(21, 0), time(9, 0))


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    zone: str  # IANA name
    quiet: QuietHours | None = DEFAULT_QUIET
    disabled: frozenset[ReminderKind] = field(default_factory=frozenset)

    def enabled(self, kind: ReminderKind) -> bool:
        return kind not in self.disabled

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


@dataclass(frozen=True, slots=True)
class Term:
    """A date something stops being valid: ``subject`` is "book:<id>" or "elmk:<id>"; ``items`` name the
    entries (their locale key or their free-text title), for the text."""

    subject: str
    kind: ReminderKind
    ends_on: date  # the last day it is valid
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    key: str
    kind: ReminderKind
    subject: str
    ends_on: date
    offset: int  # days before ends_on
    due_at: datetime  # UTC
    items: tuple[str, ...]
    buttons: tuple[Button, ...]


# --- terms ---------------------------------------------------------------------------------------------------


def entry_kind(kind: EntryKind) -> ReminderKind:
    if kind is EntryKind.ATTESTATION:
        return ReminderKind.ATTESTATION
    if kind is EntryKind.VACCINATION:
        return ReminderKind.VACCINATION
    return ReminderKind.EXAM


def _newer(a: Entry, b: Entry) -> bool:
    """`a` supersedes `b` (same item): done later, or the same day with the later term."""
    return (a.done_on, a.valid_until or date.max) > (b.done_on, b.valid_until or date.max)


def book_validity_end(book: Book, months_adult: int | None, months_minor: int | None) -> date | None:
    """The book's own last valid day where the policy gives it a validity in months (minor: under 18 on the
    day of issue); None when it gives none."""
    months = months_minor if is_minor(book.birth_date, book.issued_on) else months_adult
    if not months:
        return None
    return add_months(book.issued_on, months) - timedelta(days=1)


def book_terms(
    subject: str, book: Book, later: Iterable[Entry] = (), *, validity_end: date | None = None
) -> list[Term]:
    """The terms of one book: its own validity (given by the caller from the policy) and, for each item, its
    newest entry's term — newer results confirmed after the issue (``later``) supersede the book's own."""
    newest: dict[str, Entry] = {}
    for entry in (*book.entries, *later):
        current = newest.get(entry.code)
        if current is None or _newer(entry, current):
            newest[entry.code] = entry
    groups: dict[tuple[ReminderKind, date], list[str]] = {}
    for entry in newest.values():
        if entry.valid_until is None:
            continue
        groups.setdefault((entry_kind(entry.kind), entry.valid_until), []).append(
            entry.title_key or entry.title or entry.code)
    terms = [Term(subject, kind, ends_on, tuple(items)) for (kind, ends_on), items in groups.items()]
    if validity_end is not None:
        terms.append(Term(subject, ReminderKind.BOOK, validity_end))
    return sorted(terms, key=lambda t: (t.ends_on, t.kind.value))


# --- time ------------------------------------------------------------------------------------------------------


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone`, as UTC. A wall time a DST change skips maps forward by the gap (PEP 495,
    fold=0): never earlier than asked, so never back into quiet hours."""
    return datetime.combine(day, at).replace(tzinfo=zone).astimezone(UTC)


def keeps_quiet_hours(kind: ReminderKind) -> bool:
    """Whether a reminder of `kind` waits for the end of the holder's quiet hours. An appointment's does not:
    the person chose its time, and two hours before an 08:00 visit is in the default quiet hours."""
    return kind is not ReminderKind.APPOINTMENT


def is_quiet(moment: datetime, settings: NotificationSettings) -> bool:
    if settings.quiet is None:
        return False
    local = moment.astimezone(settings.tz).time().replace(tzinfo=None)
    start, end = settings.quiet.start, settings.quiet.end
    if start < end:
        return start <= local < end
    return local >= start or local < end


def settle(moment: datetime, settings: NotificationSettings) -> datetime:
    """`moment` (aware), or the end of the holder's quiet hours if it falls in them (UTC)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    if not is_quiet(moment, settings):
        return moment.astimezone(UTC)
    assert settings.quiet is not None
    zone = settings.tz
    local = moment.astimezone(zone)
    end = settings.quiet.end
    day = local.date() if local.time().replace(tzinfo=None) < end else local.date() + timedelta(days=1)
    return _local(day, end, zone)


def plan(
    terms: Iterable[Term], offsets: Sequence[int], settings: NotificationSettings, now: datetime,
    *, at: time = REMINDER_TIME,
) -> list[PlannedReminder]:
    """Every reminder still ahead for `terms`, in due order: switched-off kinds and past moments left out."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = settings.tz
    planned: dict[str, PlannedReminder] = {}
    for term in terms:
        if not settings.enabled(term.kind):
            continue
        for offset in offsets:
            due = settle(_local(term.ends_on - timedelta(days=offset), at, zone), settings)
            if due <= now:
                continue
            key = f"rem:{term.subject}:{term.kind.value}:{term.ends_on.isoformat()}:{offset}"
            planned[key] = PlannedReminder(key, term.kind, term.subject, term.ends_on, offset, due, term.items,
                                           BUTTONS.get(term.kind, ()))
    return sorted(planned.values(), key=lambda p: (p.due_at, p.key))


# --- what a holder types -------------------------------------------------------------------------------------

_QUIET_RE: Final = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})\s*$")

RUSSIAN_ZONES: Final[tuple[str, ...]] = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
)
"""Russia's zones by a big city each, west to east (the keyboard's short list)."""


def parse_quiet_hours(text: str) -> QuietHours | None:
    """«22:00–08:00», «22.00-8.00»: None unless both are valid times and differ."""
    match = _QUIET_RE.match(text)
    if match is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        return None
    return QuietHours(time(h1, m1), time(h2, m2))


def parse_zone(text: str) -> str | None:
    """An IANA zone name as typed (letter case forgiven, spaces as underscores); None if there is no such zone."""
    name = text.strip().replace(" ", "_")
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        return None
    for candidate in (name, *(z for z in _zones() if z.lower() == name.lower())):
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    return None


_ZONES: list[str] = []


def _zones() -> list[str]:
    if not _ZONES:
        _ZONES.extend(sorted(available_timezones()))
    return _ZONES


