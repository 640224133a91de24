"""The operator's clinics: where a citizen takes the exams, when each clinic is open, how long a slot is.

The model and its rules, no I/O: the operator edits a TOML file (``config/clinics.example.toml`` is the
commented template), which ``bot/operator_files.py`` reads at start-up (``load_clinics``) and validates with
this model; every problem is named by file, key path and problem.

The file has two tables: ``[regions.<code>]`` (how a region is named and told from a registration address)
and ``[clinics.<code>]`` (one table per clinic; the code is the clinic's stable id, stored with bookings, so
a second table with the same code is a TOML error the loader names with its line). Opening hours are given
per weekday as intervals ``"HH:MM-HH:MM"``; a lunch break is either a gap between two intervals or an
interval under ``[clinics.<code>.breaks]`` that must lie inside that day's hours.

Slots are not stored anywhere: ``domain/booking.py`` computes them from this model and the bookings.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Collection
from datetime import date, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from domain.operator_values import between, reject_problems, show, text, unique
from domain.policy import ExamCode

__all__ = [
    "EXAMS_CONTEXT_KEY",
    "WEEKDAYS",
    "Clinic",
    "Clinics",
    "Interval",
    "Region",
    "Weekday",
]

EXAMS_CONTEXT_KEY: Final = "exams"
"""Validation context key: the exam codes a clinic may offer (those of the policy); absent = every ExamCode."""


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @classmethod
    def of(cls, day: date) -> Weekday:
        return WEEKDAYS[day.weekday()]


WEEKDAYS: Final[tuple[Weekday, ...]] = tuple(Weekday)


class Interval(NamedTuple):
    """A half-open local time interval [start, end) within one day."""

    start: time
    end: time

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


# --- value types with plain-English errors ----------------------------------------------------------------

_INTERVAL = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")
_CODE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_PHONE = re.compile(r"\+?[0-9()\- ]{5,30}")


def _interval(raw: object) -> Interval:
    if isinstance(raw, Interval):
        return raw
    if not isinstance(raw, str):
        raise PydanticCustomError(
            "bad_interval", 'must be a time interval in quotes like "08:00-12:00" (got {got})', {"got": show(raw)}
        )
    found = _INTERVAL.fullmatch(raw.strip())
    if not found:
        raise PydanticCustomError(
            "bad_interval", 'must be a time interval like "08:00-12:00" (got {got})', {"got": show(raw)}
        )
    sh, sm, eh, em = (int(part) for part in found.groups())
    if sh > 23 or eh > 23 or sm > 59 or em > 59:
        raise PydanticCustomError(
            "bad_time", "has a time that does not exist (got {got}; times run from 00:00 to 23:59)", {"got": show(raw)}
        )
    start, end = time(sh, sm), time(eh, em)
    if end <= start:
        raise PydanticCustomError(
            "empty_interval", "must end after it starts (got {got})", {"got": show(raw)}
        )
    return Interval(start, end)


def _disjoint(intervals: tuple[Interval, ...]) -> tuple[Interval, ...]:
    ordered = sorted(intervals)
    for before, after in itertools.pairwise(ordered):
        if before.overlaps(after):
            raise PydanticCustomError(
                "overlap", "{first} and {second} overlap", {"first": show(str(before)), "second": show(str(after))}
            )
    return tuple(ordered)


def _code(kind: str) -> AfterValidator:
    def check(value: str) -> str:
        if not _CODE.fullmatch(value):
            raise PydanticCustomError(
                "bad_code",
                "a {kind} code must be 1 to 32 lowercase Latin letters, digits, _ or -, starting with a letter",
                {"kind": kind},
            )
        return value

    return AfterValidator(check)


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
        hint = f"did you mean {close[0]}?" if close else "use an IANA name such as Europe/Moscow or Asia/Yekaterinburg"
        raise PydanticCustomError(
            "unknown_time_zone", "unknown time zone {got} ({hint})", {"got": show(value), "hint": hint}
        ) from None
    return value


def _phone(value: str) -> str:
    if not _PHONE.fullmatch(value) or sum(ch.isdigit() for ch in value) < 5:
        raise PydanticCustomError(
            "bad_phone", 'must be a phone number like "+7 495 123-45-67" (got {got})', {"got": show(value)}
        )
    return value


def _offered_exam(exam: ExamCode, info: ValidationInfo) -> ExamCode:
    """With the policy's exams in the validation context, a clinic offers only those."""
    allowed = (info.context or {}).get(EXAMS_CONTEXT_KEY)
    if allowed is not None and exam not in allowed:
        raise PydanticCustomError(
            "exam_not_in_policy",
            "{exam} is not an exam of the policy (its exams: {allowed})",
            {"exam": exam.value, "allowed": _listed(allowed)},
        )
    return exam


def _postal_prefix(value: str) -> str:
    if not re.fullmatch(r"[1-6][0-9]{0,5}", value):
        raise PydanticCustomError(
            "bad_postal_prefix",
            "must be the first 1 to 6 digits of a Russian postal index, starting with 1 to 6 (got {got})",
            {"got": show(value)},
        )
    return value


def _coordinate(limit: int) -> AfterValidator:
    def check(value: Decimal) -> Decimal:
        if not -limit <= value <= limit:
            raise PydanticCustomError(
                "out_of_range",
                "must be between {low} and {high} (got {got})",
                {"low": -limit, "high": limit, "got": value},
            )
        return value

    return AfterValidator(check)


_Int = Annotated[int, Strict()]
# Written "HH:MM-HH:MM" in the file, and dumped so.
IntervalText = Annotated[Interval, BeforeValidator(_interval), PlainSerializer(str)]
Intervals = Annotated[tuple[IntervalText, ...], AfterValidator(_disjoint)]
Name = Annotated[str, Strict(), text(128)]
AddressText = Annotated[str, Strict(), text(256)]
Licence = Annotated[str, Strict(), text(64)]
Phone = Annotated[str, Strict(), text(32), AfterValidator(_phone)]
TimeZoneName = Annotated[str, Strict(), AfterValidator(_time_zone)]
RegionCode = Annotated[str, Strict(), _code("region")]
ClinicCode = Annotated[str, Strict(), _code("clinic")]
PostalPrefix = Annotated[str, Strict(), AfterValidator(_postal_prefix)]
AddressWord = Annotated[str, Strict(), text(64)]
OfferedExam = Annotated[ExamCode, AfterValidator(_offered_exam)]


# --- the model --------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(_Model):
    """A region clinics are filtered by, and how it is told from a registration address."""

    name_ru: Name
    name_en: Name
    postal_prefixes: Annotated[tuple[PostalPrefix, ...], AfterValidator(unique)] = ()
    address_words: Annotated[tuple[AddressWord, ...], AfterValidator(unique)] = ()


class WeekHours(_Model):
    """Intervals per weekday; a day left out (or ``[]``) is closed."""

    mon: Intervals = ()
    tue: Intervals = ()
    wed: Intervals = ()
    thu: Intervals = ()
    fri: Intervals = ()
    sat: Intervals = ()
    sun: Intervals = ()

    def on(self, day: Weekday) -> tuple[Interval, ...]:
        intervals: tuple[Interval, ...] = getattr(self, day.value)
        return intervals


class Clinic(_Model):
    name: Name
    address: AddressText
    region: RegionCode
    latitude: Annotated[Decimal, _coordinate(90)]
    longitude: Annotated[Decimal, _coordinate(180)]
    phone: Phone
    timezone: TimeZoneName
    hours: WeekHours
    breaks: WeekHours = Field(default_factory=WeekHours)
    closed_dates: Annotated[tuple[date, ...], AfterValidator(unique)] = ()
    closed_on_public_holidays: StrictBool = True
    licence: Licence
    exams: Annotated[tuple[OfferedExam, ...], AfterValidator(unique)]
    slot_minutes: Annotated[_Int, between(5, 240)] = 15
    seats: Annotated[_Int, between(1, 50)] = 1

    @field_validator("exams")
    @classmethod
    def _exams(cls, exams: tuple[ExamCode, ...]) -> tuple[ExamCode, ...]:
        if not exams:
            raise PydanticCustomError("exams_empty", "must list at least one exam")
        return exams

    @model_validator(mode="after")
    def _hours_and_breaks(self) -> Clinic:
        problems: list[tuple[str, str]] = []
        if not any(self.hours.on(day) for day in WEEKDAYS):
            problems.append(("hours", "must open on at least one weekday"))
        for day in WEEKDAYS:
            opening = self.hours.on(day)
            for brk in self.breaks.on(day):
                if not any(interval.contains(brk) for interval in opening):
                    where = ", ".join(str(i) for i in opening) or "closed"
                    problem = f"the break {brk} is outside the opening hours of {day.value} ({where})"
                    problems.append((f"breaks.{day.value}", problem))
        reject_problems(problems)
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def working_intervals(self, day: date) -> tuple[Interval, ...]:
        """The day's opening intervals minus its breaks (closed dates and holidays are not considered here)."""
        weekday = Weekday.of(day)
        result: list[Interval] = []
        for interval in self.hours.on(weekday):
            pieces = [interval]
            for brk in self.breaks.on(weekday):
                pieces = [part for piece in pieces for part in _minus(piece, brk)]
            result.extend(pieces)
        return tuple(result)


def _minus(interval: Interval, cut: Interval) -> list[Interval]:
    if not interval.overlaps(cut):
        return [interval]
    parts = []
    if interval.start < cut.start:
        parts.append(Interval(interval.start, cut.start))
    if cut.end < interval.end:
        parts.append(Interval(cut.end, interval.end))
    return parts


def _listed(values: Collection[Any]) -> str:
    return ", ".join(sorted(str(getattr(value, "value", value)) for value in values)) or "none"


class Clinics(_Model):
    """The whole clinics file."""

    regions: dict[RegionCode, Region]
    clinics: dict[ClinicCode, Clinic]

    @field_validator("regions", "clinics")
    @classmethod
    def _not_empty(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not value:
            raise PydanticCustomError("table_empty", "must have at least one entry")
        return value

    @model_validator(mode="after")
    def _known_regions(self) -> Clinics:
        reject_problems(
            [
                (
                    f"clinics.{code}.region",
                    f"unknown region {show(clinic.region)} (regions in this file: {_listed(self.regions)})",
                )
                for code, clinic in self.clinics.items()
                if clinic.region not in self.regions
            ]
        )
        return self

    def get(self, code: str) -> Clinic | None:
        return self.clinics.get(code)

    def __getitem__(self, code: str) -> Clinic:
        try:
            return self.clinics[code]
        except KeyError:
            raise KeyError(f"unknown clinic {code!r}") from None

    def region_of_address(self, postal_index: str | None, address: str | None) -> str | None:
        """The region a registration address is in, when it can be told; ``None`` lets the citizen choose.

        First the postal index: the region with the longest prefix it starts with (a tie between regions tells
        nothing). Then the address's words: exactly one region must have a word there (whole words, any case,
        ё as е). Nothing cleverer: an address that names two regions, or none, is the citizen's to pick.
        """
        if postal_index:
            best, found = 0, set[str]()
            for code, region in self.regions.items():
                for prefix in region.postal_prefixes:
                    if postal_index.startswith(prefix) and len(prefix) >= best:
                        found = {code} if len(prefix) > best else found | {code}
                        best = len(prefix)
            if len(found) == 1:
                return found.pop()
        if address:
            text = f" {' '.join(_words(address))} "
            named = {
                code
                for code, region in self.regions.items()
                if any(f" {' '.join(_words(word))} " in text for word in region.address_words)
            }
            if len(named) == 1:
                return named.pop()
        return None

    def pick(self, *, region: str | None = None, exams: Collection[ExamCode] = ()) -> list[str]:
        """Codes of the clinics in ``region`` (any, if ``None``) that do at least one of ``exams`` (any, if
        empty): those doing more of them first, then by name."""
        needed = set(exams)
        chosen = [
            (len(needed & set(clinic.exams)), clinic.name, code)
            for code, clinic in self.clinics.items()
            if (region is None or clinic.region == region) and (not needed or needed & set(clinic.exams))
        ]
        chosen.sort(key=lambda item: (-item[0], item[1].casefold(), item[2]))
        return [code for _, _, code in chosen]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold().replace("ё", "е"))
