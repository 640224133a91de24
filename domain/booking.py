"""Appointment slots, computed, never stored: a clinic's hours minus its breaks, closed days and holidays.

Pure rules over :mod:`domain.clinics` and the moments the caller passes in (``now`` from the clock, the seats
already taken from the bookings table). Every instant is timezone-aware: slots are UTC instants (what the
database stores and the seat guarantee is keyed by) carrying the clinic's zone for display, so a citizen in
Екатеринбург booking a Moscow clinic sees Moscow time. Dates called ``day`` are the clinic's local dates.

* A slot starts at the start of a working interval and every ``slot_minutes`` after it; a last piece shorter
  than a slot is dropped. Slots are stepped in real (UTC) time, so a DST change inside a day, which Russia no
  longer has but a zone's history may, never makes a slot longer or shorter than ``slot_minutes``.
* A slot that starts at ``now`` or earlier is not offered: neither a past day nor the past part of today.
* Closed: a weekday without hours, a date in ``closed_dates``, or, if ``closed_on_public_holidays``, one of
  Russia's public holidays and the days off they are moved to (the ``holidays`` package, which follows the
  government's yearly transfer decrees). A working Saturday decreed by a transfer is not opened: a clinic
  with no Saturday hours stays closed, and the operator can say nothing else about it in the file.
* A change of the file never moves a booking: :func:`bookings_that_no_longer_fit` lists the ones that the
  current hours would not offer, for staff to handle.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final, Protocol, TypeVar
from zoneinfo import ZoneInfo

import holidays

from domain.clinics import Clinic

__all__ = [
    "DAY_BEFORE_HOUR",
    "HOURS_BEFORE",
    "BookingLike",
    "Misfit",
    "Reminder",
    "ReminderKind",
    "Slot",
    "bookable_days",
    "bookable_slot",
    "bookings_that_no_longer_fit",
    "day_slots",
    "free_slots",
    "horizon",
    "is_closed",
    "is_public_holiday",
    "local_today",
    "open_slots",
    "reminder_times",
    "slot_at",
]

DAY_BEFORE_HOUR: Final = 18
"""The day-before reminder goes out at 18:00 clinic time: after a working day, early enough to plan."""
HOURS_BEFORE: Final = 2


def _check_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Slot:
    """One appointment slot: UTC instants, shown in the clinic's zone."""

    start: datetime
    end: datetime
    zone: ZoneInfo

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.zone)


# --- closed days ------------------------------------------------------------------------------------------


@functools.cache
def _russian_public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("RU", years=year))


def is_public_holiday(day: date) -> bool:
    """A public holiday in Russia, or a day off a holiday was moved to."""
    return day in _russian_public_holidays(day.year)


def is_closed(clinic: Clinic, day: date) -> bool:
    if not clinic.working_intervals(day) or day in clinic.closed_dates:
        return True
    return clinic.closed_on_public_holidays and is_public_holiday(day)


# --- slots ------------------------------------------------------------------------------------------------


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant (an ambiguous time takes its first occurrence)."""
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def day_slots(clinic: Clinic, day: date) -> list[Slot]:
    """Every slot of a local date by the current file, past or not; none on a closed day."""
    if is_closed(clinic, day):
        return []
    zone, length = clinic.zone, timedelta(minutes=clinic.slot_minutes)
    slots = []
    for interval in clinic.working_intervals(day):
        start, stop = _at(day, interval.start, zone), _at(day, interval.end, zone)
        while start + length <= stop:
            slots.append(Slot(start, start + length, zone))
            start += length
    return slots


def open_slots(clinic: Clinic, day: date, *, now: datetime) -> list[Slot]:
    """The slots of a day that have not started yet."""
    _check_aware(now, "now")
    return [slot for slot in day_slots(clinic, day) if slot.start > now]


def free_slots(clinic: Clinic, day: date, taken: Mapping[datetime, int], *, now: datetime) -> list[Slot]:
    """The slots of a day not started yet with a seat left; ``taken``: bookings per slot start (UTC)."""
    return [slot for slot in open_slots(clinic, day, now=now) if _taken(taken, slot.start) < clinic.seats]


def _taken(taken: Mapping[datetime, int], start: datetime) -> int:
    return taken.get(start, 0)


def local_today(clinic: Clinic, now: datetime) -> date:
    _check_aware(now, "now")
    return now.astimezone(clinic.zone).date()


def horizon(clinic: Clinic, *, now: datetime, days: int) -> list[date]:
    """The local dates a citizen may book: today in the clinic's zone and the ``days - 1`` after it."""
    today = local_today(clinic, now)
    return [today + timedelta(days=offset) for offset in range(days)]


def bookable_days(
    clinic: Clinic, taken: Mapping[datetime, int], *, now: datetime, horizon_days: int
) -> list[date]:
    """The dates in the horizon with at least one free slot: the pressable days of the calendar."""
    return [day for day in horizon(clinic, now=now, days=horizon_days) if free_slots(clinic, day, taken, now=now)]


def slot_at(clinic: Clinic, start: datetime) -> Slot | None:
    """The current file's slot that starts at this instant, if there is one (a closed day has none)."""
    _check_aware(start, "start")
    day = start.astimezone(clinic.zone).date()
    return next((slot for slot in day_slots(clinic, day) if slot.start == start), None)


def bookable_slot(clinic: Clinic, start: datetime, *, now: datetime, horizon_days: int) -> Slot | None:
    """The slot a citizen asks for (e.g. from a button pressed a while ago), if it may still be booked: a real
    slot of the current file, not started, inside the horizon. Whether a seat is left is the database's to say."""
    slot = slot_at(clinic, start)
    if slot is None or slot.start <= now:
        return None
    if slot.local_start.date() not in horizon(clinic, now=now, days=horizon_days):
        return None
    return slot


# --- reminders --------------------------------------------------------------------------------------------


class ReminderKind(StrEnum):
    DAY_BEFORE = "day_before"
    HOURS_BEFORE = "hours_before"


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: ReminderKind
    at: datetime  # UTC


def reminder_times(
    start: datetime,
    zone: ZoneInfo,
    *,
    now: datetime,
    day_before_hour: int = DAY_BEFORE_HOUR,
    hours_before: int = HOURS_BEFORE,
) -> list[Reminder]:
    """The reminders of a booking that starts at ``start``, in time order, none at or before ``now``.

    The day before at ``day_before_hour`` clinic time, and ``hours_before`` hours before. The day-before one is
    left out when it would not come before the other (a booking just after midnight), and both are left out
    once their moment has passed (a booking made late the evening before gets only the second one). The
    caller keys each by booking and kind, so moving a booking replaces its reminders instead of adding some.
    """
    _check_aware(start, "start")
    _check_aware(now, "now")
    start = start.astimezone(UTC)
    shortly = start - timedelta(hours=hours_before)
    eve = start.astimezone(zone).date() - timedelta(days=1)
    day_before = _at(eve, time(day_before_hour), zone)
    reminders = []
    if now < day_before < shortly:
        reminders.append(Reminder(ReminderKind.DAY_BEFORE, day_before))
    if now < shortly:
        reminders.append(Reminder(ReminderKind.HOURS_BEFORE, shortly))
    return reminders


# --- a changed file ---------------------------------------------------------------------------------------


class BookingLike(Protocol):
    @property
    def clinic_code(self) -> str: ...

    @property
    def start(self) -> datetime: ...


B = TypeVar("B", bound=BookingLike)


class Misfit(StrEnum):
    """Why a booking no longer fits the clinics file."""

    CLINIC_GONE = "clinic_gone"  # the clinic's code is no longer in the file
    CLOSED_DAY = "closed_day"  # the clinic is now closed that day
    OUTSIDE_HOURS = "outside_hours"  # the time is no longer inside the hours (or is in a break)
    OFF_GRID = "off_grid"  # inside the hours, but the slots now start at other times (slot length changed)
    OVER_SEATS = "over_seats"  # more bookings at that time than the clinic now has seats


def bookings_that_no_longer_fit(clinics: Mapping[str, Clinic], bookings: Iterable[B]) -> list[tuple[B, Misfit]]:
    """Upcoming bookings the current file would not offer, each with the reason. Nothing is moved.

    Pass the bookings in the order they were made: when seats were cut, the latest ones over the count are
    listed.
    """
    misfits: list[tuple[B, Misfit]] = []
    seats_used: Counter[tuple[str, datetime]] = Counter()
    for booking in bookings:
        clinic = clinics.get(booking.clinic_code)
        misfit = _misfit(clinic, booking.start)
        if misfit is None and clinic is not None:
            key = (booking.clinic_code, booking.start.astimezone(UTC))
            seats_used[key] += 1
            if seats_used[key] > clinic.seats:
                misfit = Misfit.OVER_SEATS
        if misfit is not None:
            misfits.append((booking, misfit))
    return misfits


def _misfit(clinic: Clinic | None, start: datetime) -> Misfit | None:
    if clinic is None:
        return Misfit.CLINIC_GONE
    day = start.astimezone(clinic.zone).date()
    if is_closed(clinic, day):
        return Misfit.CLOSED_DAY
    if slot_at(clinic, start) is not None:
        return None
    end = start + timedelta(minutes=clinic.slot_minutes)
    zone = clinic.zone
    inside = any(
        _at(day, interval.start, zone) <= start and end <= _at(day, interval.end, zone)
        for interval in clinic.working_intervals(day)
    )
    return Misfit.OFF_GRID if inside else Misfit.OUTSIDE_HOURS
