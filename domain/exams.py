"""The exam checklist and its entries: which items a holder needs, whether a result's date is acceptable,
how long a confirmed result stays valid, and how far the checklist has come. Pure: the policy decides the
items (domain/policy.py); storage keeps the results; this module only computes.

Dates are calendar dates in the operator's time zone (the caller passes "today"). A result done on day D
with a period of P months is valid through the day before the same day P months later: done on 15.03.2026
with 12 months, it is valid through 14.03.2027 and refused from 15.03.2027 on ("it ran out on 14.03.2027").
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from domain.person import age_on
from domain.policy import ExamCode, ExamItem, ExamKind, ExamResult, Policy

__all__ = [
    "RESULT_VALUE_MAX",
    "ChecklistItem",
    "DateProblem",
    "DateRefusal",
    "ExamState",
    "Progress",
    "Subject",
    "add_months",
    "check_date",
    "checklist",
    "open_required",
    "progress",
    "runs_out_within",
    "valid_until",
]

RESULT_VALUE_MAX: Final = 64  # a typed certificate number, at most


class ExamState(StrEnum):
    """Where one item stands for a holder (the stored result's state, or what its absence means)."""

    MISSING = "missing"  # «Не загружено»
    UPLOADED = "uploaded"  # a file is in, the date/institution/result not yet: not sent for review
    ON_REVIEW = "on_review"  # «На проверке»
    CONFIRMED = "confirmed"  # «Подтверждено»: an entry of the book
    RETURNED = "returned"  # «Возвращено: причина»
    EXPIRED = "expired"  # confirmed once, but its validity ran out: needed again


@dataclass(frozen=True, slots=True)
class Subject:
    """Who the checklist is for: the work category, sex and birth date from the profile, and whether this is
    the preliminary exam at hiring (a first application) or a periodic one (a renewal)."""

    category: str
    female: bool
    birth_date: date | None
    hiring: bool


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    code: ExamCode
    kind: ExamKind
    result: ExamResult
    required: bool
    at_hiring_only: bool
    period_months: int | None  # None: does not run out
    calendar_year: bool


def _period(item: ExamItem, code: ExamCode, policy: Policy, category: str) -> int | None:
    if item.period_months is not None:
        return item.period_months or None  # 0: does not run out
    chosen = policy.category(category)
    if item.kind is ExamKind.ATTESTATION or code is ExamCode.HYGIENE_ATTESTATION:
        return chosen.attestation_months
    return chosen.periodic_exam_months


def checklist(policy: Policy, subject: Subject, today: date) -> list[ChecklistItem]:
    """The items of the subject's checklist, in the policy's order: the general block, then the category's
    items, then (at hiring) the items only asked at hiring; women-only and age conditions applied."""
    category = policy.category(subject.category)
    hiring_only = category.exams_at_hiring if subject.hiring else ()
    codes = dict.fromkeys([*policy.exams.general, *category.exams, *hiring_only])
    age = age_on(subject.birth_date, today) if subject.birth_date is not None else None
    items = []
    for code in codes:
        item = policy.exams.items[code]
        if item.women_only and not subject.female:
            continue
        if item.min_age is not None and (age is None or age < item.min_age):
            continue
        items.append(ChecklistItem(
            code=code, kind=item.kind, result=item.result, required=item.required,
            at_hiring_only=code in hiring_only and code not in category.exams and code not in policy.exams.general,
            period_months=_period(item, code, policy, subject.category), calendar_year=item.calendar_year,
        ))
    return items


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the month's last day where the month is shorter."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(item: ChecklistItem, done: date) -> date | None:
    """The last day a result done on ``done`` is valid; None: it does not run out."""
    if item.calendar_year:
        return date(done.year + 1, 12, 31)
    if item.period_months is None:
        return None
    return add_months(done, item.period_months) - timedelta(days=1)


def runs_out_within(until: date | None, today: date, days: int) -> bool:
    """A confirmed result whose last valid day falls within ``days`` of ``today`` (the reminders' horizon, the
    renewal's «runs out»): a new result may be sent for its item before it has run out."""
    return until is not None and until <= today + timedelta(days=days)


class DateProblem(StrEnum):
    FUTURE = "future"
    TOO_OLD = "too_old"


@dataclass(frozen=True, slots=True)
class DateRefusal:
    problem: DateProblem
    ran_out: date | None = None  # TOO_OLD: the last day it was valid


def check_date(item: ChecklistItem, done: date, today: date) -> DateRefusal | None:
    """None when a result done on ``done`` may be recorded today; else why not (and when it ran out)."""
    if done > today:
        return DateRefusal(DateProblem.FUTURE)
    last = valid_until(item, done)
    if last is not None and last < today:
        return DateRefusal(DateProblem.TOO_OLD, last)
    return None


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total


def _ready(state: ExamState | None) -> bool:
    return state is ExamState.CONFIRMED


def progress(items: Sequence[ChecklistItem], states: Mapping[ExamCode, ExamState]) -> Progress:
    """«5 из 9 готово»: the required items confirmed (and still valid) out of all required ones."""
    required = [i for i in items if i.required]
    return Progress(sum(_ready(states.get(i.code)) for i in required), len(required))


def open_required(items: Iterable[ChecklistItem], states: Mapping[ExamCode, ExamState]) -> list[ExamCode]:
    """The required items not confirmed yet: what approval waits for."""
    return [i.code for i in items if i.required and not _ready(states.get(i.code))]
