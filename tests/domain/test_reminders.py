"""The reminder rules with fixed clocks: offsets, the holder's zone (Moscow, Kamchatka far east, Berlin with
DST), quiet hours, switched-off kinds, grouping and superseded entries, and what a holder may type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.book import Entry, EntryKind
from domain.reminders import (
    Button,
    NotificationSettings,
    QuietHours,
    ReminderKind,
    Term,
    book_terms,
    book_validity_end,
    is_quiet,
    parse_quiet_hours,
    parse_zone,
    plan,
    settle,
)
from tests.domain.book_samples import adult_book

OFFSETS = (60, 30, 7, 1, 0)
MSK = NotificationSettings("Europe/Moscow")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _local(p: object, zone: str) -> datetime:
    return p.due_at.astimezone(ZoneInfo(zone))  # type: ignore[attr-defined]


def test_each_offset_at_ten_local_in_moscow() -> None:
    planned = plan([Term("book:1", ReminderKind.EXAM, date(2027, 3, 1), ("exam-therapist",))], OFFSETS, MSK, NOW)
    assert [p.offset for p in planned] == [60, 30, 7, 1, 0]
    assert [_local(p, "Europe/Moscow").date() for p in planned] == [
        date(2026, 12, 31), date(2027, 1, 30), date(2027, 2, 22), date(2027, 2, 28), date(2027, 3, 1)]
    assert {_local(p, "Europe/Moscow").time() for p in planned} == {time(10, 0)}
    assert planned[0].due_at == datetime(2026, 12, 31, 7, 0, tzinfo=UTC)
    assert planned[0].key == "rem:book:1:exam:2027-03-01:60"
    assert planned[0].buttons == (Button.BOOK_EXAM, Button.UPLOAD)


def test_past_offsets_are_not_planned() -> None:
    planned = plan([Term("book:1", ReminderKind.ATTESTATION, date(2026, 12, 9))], OFFSETS, MSK, NOW)
    assert [p.offset for p in planned] == [7, 1, 0]
    planned = plan([Term("book:1", ReminderKind.ATTESTATION, date(2026, 12, 1))], OFFSETS, MSK, NOW)
    assert planned == []  # 10:00 Moscow on the day was 07:00 UTC, before now


def test_a_zone_far_from_moscow_gets_its_own_ten_oclock() -> None:
    kamchatka = NotificationSettings("Asia/Kamchatka")  # UTC+12, no DST
    planned = plan([Term("book:1", ReminderKind.BOOK, date(2027, 3, 1))], (0,), kamchatka, NOW)
    assert planned[0].due_at == datetime(2027, 2, 28, 22, 0, tzinfo=UTC)  # 10:00 on 1 March in Petropavlovsk
    assert _local(planned[0], "Asia/Kamchatka") == datetime(2027, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Kamchatka"))


def test_a_dst_zone_keeps_ten_local_across_the_change() -> None:
    berlin = NotificationSettings("Europe/Berlin")
    planned = plan([Term("book:1", ReminderKind.EXAM, date(2027, 4, 5))], (30, 7), berlin, NOW)
    assert [p.due_at for p in planned] == [datetime(2027, 3, 6, 9, 0, tzinfo=UTC),  # CET, UTC+1
                                           datetime(2027, 3, 29, 8, 0, tzinfo=UTC)]  # CEST, UTC+2
    assert {_local(p, "Europe/Berlin").time() for p in planned} == {time(10, 0)}


def test_quiet_hours_move_a_reminder_to_their_end() -> None:
    late = NotificationSettings("Europe/Moscow", QuietHours(time(8, 0), time(11, 30)))
    planned = plan([Term("book:1", ReminderKind.EXAM, date(2027, 3, 1))], (0,), late, NOW)
    assert _local(planned[0], "Europe/Moscow") == datetime(2027, 3, 1, 11, 30, tzinfo=ZoneInfo("Europe/Moscow"))
    assert not is_quiet(planned[0].due_at, late)
    # wrapping past midnight: 23:00 moves to 09:00 the next day, 03:00 to 09:00 the same day
    msk = ZoneInfo("Europe/Moscow")
    assert settle(datetime(2027, 3, 1, 23, 0, tzinfo=msk), MSK) == datetime(2027, 3, 2, 9, 0, tzinfo=msk)
    assert settle(datetime(2027, 3, 1, 3, 0, tzinfo=msk), MSK) == datetime(2027, 3, 1, 9, 0, tzinfo=msk)
    assert settle(datetime(2027, 3, 1, 20, 59, tzinfo=msk), MSK) == datetime(2027, 3, 1, 20, 59, tzinfo=msk)
    off = NotificationSettings("Europe/Moscow", None)
    assert settle(datetime(2027, 3, 1, 23, 0, tzinfo=msk), off) == datetime(2027, 3, 1, 23, 0, tzinfo=msk)


def test_quiet_hours_ending_in_a_dst_gap_end_after_the_gap() -> None:
    berlin = NotificationSettings("Europe/Berlin", QuietHours(time(22, 0), time(2, 30)))  # 28.03.2027 has no 02:30
    moment = datetime(2027, 3, 27, 23, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    settled = settle(moment, berlin)
    assert settled == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST, the first moment past the gap
    assert not is_quiet(settled, berlin)


def test_switched_off_kinds_are_not_planned() -> None:
    terms = [Term("book:1", ReminderKind.EXAM, date(2027, 3, 1)), Term("book:1", ReminderKind.BOOK, date(2027, 3, 1))]
    settings = NotificationSettings("Europe/Moscow", disabled=frozenset({ReminderKind.EXAM}))
    assert {p.kind for p in plan(terms, OFFSETS, settings, NOW)} == {ReminderKind.BOOK}


def test_terms_group_items_of_a_kind_and_newer_results_supersede_the_book() -> None:
    book = adult_book()  # therapist + syphilis until 01.03.2027, attestation until 10.02.2027, measles no term
    terms = book_terms("book:7", book)
    assert [(t.kind, t.ends_on, t.items) for t in terms] == [
        (ReminderKind.ATTESTATION, date(2027, 2, 10), ("exam-hygiene-attestation",)),
        (ReminderKind.EXAM, date(2027, 3, 1), ("exam-therapist", "Сифилис (RW)")),
    ]
    redone = Entry("therapist", EntryKind.DOCTOR, date(2027, 2, 20), "годен", "ГП № 5", date(2028, 2, 20),
                   title_key="exam-therapist")
    terms = book_terms("book:7", book, [redone], validity_end=date(2031, 3, 2))
    assert [(t.kind, t.ends_on, t.items) for t in terms] == [
        (ReminderKind.ATTESTATION, date(2027, 2, 10), ("exam-hygiene-attestation",)),
        (ReminderKind.EXAM, date(2027, 3, 1), ("Сифилис (RW)",)),
        (ReminderKind.EXAM, date(2028, 2, 20), ("exam-therapist",)),
        (ReminderKind.BOOK, date(2031, 3, 2), ()),
    ]


def test_book_validity_from_the_policy_for_adults_and_minors() -> None:
    adult = adult_book()  # issued 03.03.2026, born 1990
    assert book_validity_end(adult, 60, 36) == date(2031, 3, 2)
    minor = adult_book(birth_date=date(2010, 6, 1))
    assert book_validity_end(minor, 60, 36) == date(2029, 3, 2)
    assert book_validity_end(adult, None, None) is None


def test_keys_are_stable_so_a_replan_gives_the_same_rows() -> None:
    terms = book_terms("book:7", adult_book())
    first = plan(terms, OFFSETS, MSK, NOW)
    again = plan(terms, OFFSETS, MSK, NOW + timedelta(days=1))
    assert {p.key for p in again} <= {p.key for p in first}
    assert len({p.key for p in first}) == len(first)


@pytest.mark.parametrize(("text", "expected"), [
    ("22:00-08:00", (time(22), time(8))), ("22.00 – 7.30", (time(22), time(7, 30))), ("0:00-6:00", (time(0), time(6))),
])
def test_quiet_hours_as_typed(text: str, expected: tuple[time, time]) -> None:
    quiet = parse_quiet_hours(text)
    assert quiet is not None and (quiet.start, quiet.end) == expected


@pytest.mark.parametrize("text", ["", "22-08", "25:00-08:00", "22:00-22:00", "22:61-08:00", "ten to six"])
def test_wrong_quiet_hours_are_refused(text: str) -> None:
    assert parse_quiet_hours(text) is None


def test_zones_as_typed() -> None:
    assert parse_zone("Asia/Vladivostok") == "Asia/Vladivostok"
    assert parse_zone("  europe/moscow ") == "Europe/Moscow"
    assert parse_zone("America/New York") == "America/New_York"
    for wrong in ("", "Mars/Olympus", "../etc/passwd", "Москва"):
        assert parse_zone(wrong) is None


def test_every_key_the_reminders_build_exists_in_both_locales() -> None:
    from bot.i18n import SUPPORTED, Translator
    from domain.reminders import BUTTONS, RUSSIAN_ZONES
    from views.reminders import _key

    t = Translator()
    wanted = {f"notify-kind-{k.value}" for k in ReminderKind} | {f"push-remind-{k.value}" for k in BUTTONS}
    wanted |= {f"zone-{_key(z)}" for z in RUSSIAN_ZONES} | {"notify-ask-quiet", "notify-ask-zone", "push-remind-elmk"}
    for code in SUPPORTED:
        assert sorted(wanted - t.keys[code]) == [], code
