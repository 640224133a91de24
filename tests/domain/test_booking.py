"""Slots computed from a clinic's hours, with fixed dates and a fixed 'now': breaks, closed days, Russia's
holidays, another time zone, a past day, a slot length that does not divide the hours, the calendar's days,
the reminders of a booking, and bookings a changed file no longer fits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.booking import (
    Misfit,
    Reminder,
    ReminderKind,
    Slot,
    bookable_days,
    bookable_slot,
    bookings_that_no_longer_fit,
    day_slots,
    free_slots,
    horizon,
    is_closed,
    is_public_holiday,
    local_today,
    open_slots,
    reminder_times,
    slot_at,
)
from domain.clinics import Clinic
from tests.domain.factories import make_clinic

MOSCOW = ZoneInfo("Europe/Moscow")
YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")
MONDAY = date(2026, 6, 1)
TUESDAY = date(2026, 6, 2)
SUNDAY = date(2026, 6, 7)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)

WEEKDAYS_8_TO_17 = {day: ["08:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def clinic(**changes: object) -> Clinic:
    """Open weekdays 08:00-17:00 in Moscow, one-hour slots, unless changed."""
    return make_clinic(**{"hours": WEEKDAYS_8_TO_17, "slot_minutes": 60, **changes})


def msk(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=MOSCOW)


def local_times(slots: list[Slot]) -> list[str]:
    return [f"{slot.local_start:%H:%M}" for slot in slots]


# --- the slots of a day ------------------------------------------------------------------------------------


def test_slots_run_from_the_start_of_the_hours_and_skip_the_break() -> None:
    central = clinic(breaks={"mon": ["12:00-13:00"]})
    slots = day_slots(central, MONDAY)
    assert local_times(slots) == ["08:00", "09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]
    first = slots[0]
    assert first.start == datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # Moscow is UTC+3
    assert first.start.tzinfo is UTC and first.end - first.start == timedelta(hours=1)
    assert first.local_start.utcoffset() == timedelta(hours=3)


def test_a_break_written_as_a_gap_between_intervals() -> None:
    central = clinic(hours={"mon": ["08:00-12:00", "12:30-14:00"]}, slot_minutes=30)
    assert local_times(day_slots(central, MONDAY)) == [
        "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:30", "13:00", "13:30",
    ]


def test_a_slot_length_that_does_not_divide_the_hours_drops_the_last_piece() -> None:
    central = clinic(hours={"mon": ["08:00-12:00", "13:00-14:00"]}, slot_minutes=25)
    slots = day_slots(central, MONDAY)
    assert local_times(slots) == [
        "08:00", "08:25", "08:50", "09:15", "09:40", "10:05", "10:30", "10:55", "11:20", "13:00", "13:25",
    ]
    assert f"{slots[8].local_end:%H:%M}" == "11:45"
    assert all(slot.local_end.time() <= time(12) for slot in slots[:9])
    assert day_slots(clinic(hours={"mon": ["08:00-08:20"]}, slot_minutes=30), MONDAY) == []


def test_a_weekday_without_hours_is_closed() -> None:
    assert day_slots(clinic(), SUNDAY) == []
    assert is_closed(clinic(), SUNDAY)


def test_a_closed_date_has_no_slots() -> None:
    central = clinic(closed_dates=[TUESDAY])
    assert day_slots(central, TUESDAY) == []
    assert len(day_slots(central, MONDAY)) == 9


def test_russian_public_holidays_and_the_days_off_they_move_to() -> None:
    assert is_public_holiday(date(2026, 6, 12))  # Russia Day, a Friday
    assert is_public_holiday(date(2026, 1, 9))  # a Friday off, moved from Saturday 3 January
    assert is_public_holiday(date(2026, 5, 11))  # Victory Day fell on a Saturday: Monday off
    assert not is_public_holiday(date(2026, 6, 11))
    assert day_slots(clinic(), date(2026, 6, 12)) == []
    assert day_slots(clinic(), date(2026, 1, 9)) == []
    assert len(day_slots(clinic(closed_on_public_holidays=False), date(2026, 6, 12))) == 9
    assert len(day_slots(clinic(), date(2026, 6, 11))) == 9


def test_a_clinic_in_another_time_zone_is_shown_in_its_own_time() -> None:
    # A citizen in Yekaterinburg booking a Moscow clinic sees Moscow time; a Yekaterinburg clinic shows its own.
    moscow = day_slots(clinic(), MONDAY)[0]
    ural = day_slots(clinic(timezone="Asia/Yekaterinburg"), MONDAY)[0]
    assert (f"{moscow.local_start:%H:%M %z}", f"{ural.local_start:%H:%M %z}") == ("08:00 +0300", "08:00 +0500")
    assert moscow.start == datetime(2026, 6, 1, 5, tzinfo=UTC)
    assert ural.start == datetime(2026, 6, 1, 3, tzinfo=UTC)
    assert ural.local_start.tzinfo == YEKATERINBURG


def test_the_clinics_own_date_decides_today() -> None:
    late_in_moscow = datetime(2026, 6, 1, 20, 30, tzinfo=UTC)  # 23:30 in Moscow, 01:30 on Tuesday in Yekaterinburg
    assert local_today(clinic(), late_in_moscow) == MONDAY
    assert local_today(clinic(timezone="Asia/Yekaterinburg"), late_in_moscow) == TUESDAY


def test_a_past_day_and_the_past_part_of_today_are_not_offered() -> None:
    central = clinic()
    now = msk(TUESDAY, 10, 10)
    assert open_slots(central, MONDAY, now=now) == []
    assert local_times(open_slots(central, TUESDAY, now=now)) == ["11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
    # A slot that starts right now is not offered either.
    assert local_times(open_slots(central, TUESDAY, now=msk(TUESDAY, 11)))[0] == "12:00"
    assert open_slots(central, TUESDAY, now=msk(TUESDAY, 16, 1)) == []


def test_now_must_be_timezone_aware() -> None:
    try:
        open_slots(clinic(), MONDAY, now=datetime(2026, 6, 1, 9))
    except ValueError as exc:
        assert "timezone-aware" in str(exc)
    else:
        raise AssertionError("a naive now was accepted")


def test_a_dst_change_inside_a_day_keeps_every_slot_its_length() -> None:
    # Russia has no DST now, but a zone's rules are zoneinfo's: Berlin skips 02:00-03:00 on 29 March 2026.
    berlin = clinic(timezone="Europe/Berlin", hours={"sun": ["01:00-05:00"]}, closed_on_public_holidays=False)
    slots = day_slots(berlin, date(2026, 3, 29))
    assert local_times(slots) == ["01:00", "03:00", "04:00"]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


@given(
    length=st.integers(5, 240),
    start=st.integers(0, 23 * 60 - 5),
    span=st.integers(5, 600),
)
def test_slots_lie_inside_the_hours_back_to_back_and_all_as_long(length: int, start: int, span: int) -> None:
    end = min(start + span, 23 * 60 + 59)
    hours = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    slots = day_slots(clinic(hours={"mon": [hours]}, slot_minutes=length), MONDAY)
    assert len(slots) == (end - start) // length
    step = timedelta(minutes=length)
    for index, slot in enumerate(slots):
        assert slot.end - slot.start == step
        assert slot.start == msk(MONDAY, start // 60, start % 60) + index * step
    if slots:
        assert slots[-1].end <= msk(MONDAY, end // 60, end % 60)


# --- seats, the calendar, a slot asked for ----------------------------------------------------------------


def test_free_slots_count_the_seats() -> None:
    central = clinic(seats=2)
    nine, ten = msk(MONDAY, 9).astimezone(UTC), msk(MONDAY, 10).astimezone(UTC)
    taken = {nine: 2, ten: 1}
    free = free_slots(central, MONDAY, taken, now=LONG_AGO)
    assert "09:00" not in local_times(free)
    assert "10:00" in local_times(free)
    assert len(free) == 8
    # Keys are instants: the same moment written in another zone counts the same.
    assert free_slots(central, MONDAY, {msk(MONDAY, 9): 2}, now=LONG_AGO) == free_slots(
        central, MONDAY, {nine: 2}, now=LONG_AGO
    )


def test_the_calendar_offers_only_days_with_a_free_slot_within_the_horizon() -> None:
    central = clinic(hours={"mon": ["08:00-10:00"], "wed": ["08:00-10:00"], "fri": ["08:00-10:00"]})
    now = msk(MONDAY, 9, 30)  # today's last slot has started
    full_wednesday = {msk(date(2026, 6, 3), 8).astimezone(UTC): 1, msk(date(2026, 6, 3), 9).astimezone(UTC): 1}
    days = bookable_days(central, full_wednesday, now=now, horizon_days=14)
    assert days == [date(2026, 6, 5), date(2026, 6, 8), date(2026, 6, 10)]  # 12 June: a holiday; 15th: beyond
    assert horizon(central, now=now, days=14)[-1] == date(2026, 6, 14)
    assert bookable_days(central, {}, now=now, horizon_days=3) == [date(2026, 6, 3)]


def test_a_slot_asked_for_must_still_be_bookable() -> None:
    central = clinic(slot_minutes=30)
    now = msk(MONDAY, 12)
    wanted = msk(TUESDAY, 9, 30)
    slot = bookable_slot(central, wanted, now=now, horizon_days=14)
    assert slot is not None and slot.start == wanted.astimezone(UTC) and slot.local_start.tzinfo == MOSCOW
    assert bookable_slot(central, msk(TUESDAY, 9, 40), now=now, horizon_days=14) is None  # not a slot start
    assert bookable_slot(central, msk(MONDAY, 11, 30), now=now, horizon_days=14) is None  # past
    assert bookable_slot(central, msk(SUNDAY, 10), now=now, horizon_days=14) is None  # closed
    assert bookable_slot(central, msk(date(2026, 6, 15), 9), now=now, horizon_days=14) is None  # beyond
    assert bookable_slot(central, msk(date(2026, 6, 15), 9), now=now, horizon_days=15) is not None
    assert slot_at(central, msk(MONDAY, 7, 30)) is None


# --- reminders --------------------------------------------------------------------------------------------


def test_reminders_the_day_before_at_six_pm_and_two_hours_before() -> None:
    start = msk(TUESDAY, 10).astimezone(UTC)
    assert reminder_times(start, MOSCOW, now=msk(SUNDAY - timedelta(days=7), 12)) == [
        Reminder(ReminderKind.DAY_BEFORE, datetime(2026, 6, 1, 15, tzinfo=UTC)),  # Monday 18:00 in Moscow
        Reminder(ReminderKind.HOURS_BEFORE, datetime(2026, 6, 2, 5, tzinfo=UTC)),  # Tuesday 08:00 in Moscow
    ]


def test_reminders_follow_the_clinics_zone() -> None:
    start = datetime.combine(TUESDAY, time(10), tzinfo=YEKATERINBURG)
    reminders = reminder_times(start, YEKATERINBURG, now=LONG_AGO)
    assert [r.at for r in reminders] == [
        datetime(2026, 6, 1, 13, tzinfo=UTC),  # Monday 18:00 in Yekaterinburg
        datetime(2026, 6, 2, 3, tzinfo=UTC),  # Tuesday 08:00 in Yekaterinburg
    ]


def test_no_reminder_in_the_past() -> None:
    start = msk(TUESDAY, 10)
    assert [r.kind for r in reminder_times(start, MOSCOW, now=msk(MONDAY, 19))] == [ReminderKind.HOURS_BEFORE]
    assert reminder_times(start, MOSCOW, now=msk(TUESDAY, 8, 30)) == []
    assert reminder_times(start, MOSCOW, now=msk(TUESDAY, 8)) == []


def test_a_booking_just_after_midnight_gets_the_eve_reminder_before_the_late_one() -> None:
    start = msk(TUESDAY, 0, 30)
    assert reminder_times(start, MOSCOW, now=LONG_AGO) == [
        Reminder(ReminderKind.DAY_BEFORE, msk(MONDAY, 18).astimezone(UTC)),
        Reminder(ReminderKind.HOURS_BEFORE, msk(MONDAY, 22, 30).astimezone(UTC)),
    ]
    # An evening-of booking whose "two hours before" is at or before 18:00 the day before gets one reminder.
    assert [r.kind for r in reminder_times(msk(TUESDAY, 0, 30), MOSCOW, now=LONG_AGO, hours_before=7)] == [
        ReminderKind.HOURS_BEFORE
    ]


# --- a changed file ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booked:
    clinic_code: str
    start: datetime


def test_a_changed_file_lists_the_bookings_it_no_longer_fits() -> None:
    before = clinic(slot_minutes=30, seats=2)
    after = clinic(
        slot_minutes=45,
        seats=1,
        hours={"mon": ["09:00-17:00"], "tue": ["08:00-17:00"], "wed": ["08:00-17:00"], "thu": ["08:00-17:00"]},
        breaks={"tue": ["12:00-13:00"]},
        closed_dates=[date(2026, 6, 4)],
    )
    bookings = [
        Booked("central", msk(MONDAY, 9)),  # still a slot
        Booked("central", msk(MONDAY, 8, 30)),  # before the new opening hour
        Booked("central", msk(TUESDAY, 12, 30)),  # in the new break
        Booked("central", msk(TUESDAY, 9, 0)),  # inside the hours, but slots now start 08:00, 08:45, 09:30
        Booked("central", msk(date(2026, 6, 4), 10)),  # a newly closed date
        Booked("central", msk(date(2026, 6, 5), 10)),  # Friday is no longer open
        Booked("central", msk(MONDAY, 9)),  # a second seat at 09:00, which the clinic no longer has
        Booked("gone", msk(MONDAY, 9)),  # a clinic removed from the file
    ]
    for booking in bookings[:-1]:
        assert slot_at(before, booking.start) is not None, booking  # every one was a slot of the old file
    assert bookings_that_no_longer_fit({"central": after}, bookings) == [
        (bookings[1], Misfit.OUTSIDE_HOURS),
        (bookings[2], Misfit.OUTSIDE_HOURS),
        (bookings[3], Misfit.OFF_GRID),
        (bookings[4], Misfit.CLOSED_DAY),
        (bookings[5], Misfit.CLOSED_DAY),
        (bookings[6], Misfit.OVER_SEATS),
        (bookings[7], Misfit.CLINIC_GONE),
    ]
    assert bookings_that_no_longer_fit({"central": before}, bookings[:-1]) == []
