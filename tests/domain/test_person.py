"""Dates and age, names, phone, e-mail and address of the applicant."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import person
from domain.issues import Checked, Severity

FAST = settings(max_examples=100, deadline=None, database=None)
TODAY = date(2026, 1, 15)


def codes(checked: Checked[Any]) -> list[str]:
    found = [i.code for i in checked.issues]
    assert set(found) <= person.PERSON_ISSUE_CODES, found
    assert (checked.value is None) == (not checked.ok)
    return found


# --- dates -----------------------------------------------------------------------------------------------

dates = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@FAST
@given(dates)
def test_parse_date_accepts_every_usual_form(d: date) -> None:
    forms = [
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.day}.{d.month}.{d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day}-{d.month}-{d.year}",
        f"{d.day:02d} {d.month:02d} {d.year}",
        f"{d.year}-{d.month:02d}-{d.day:02d}",
        f"{d.year}-{d.month}-{d.day}",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        f"  {d.day:02d}.{d.month:02d}.{d.year}  ",
        f"{d.day:02d} . {d.month:02d} . {d.year}",
        f"{d.day:02d}.{d.month:02d}.{d.year} г.",
        f"{d.day:02d}.{d.month:02d}.{d.year}г",
    ]
    for raw in forms:
        result = person.parse_date(raw)
        assert result.value == d and not result.issues, raw


@FAST
@given(st.integers(1000, 9999), st.integers(1, 12), st.data())
def test_impossible_days_are_date_invalid(year: int, month: int, data: st.DataObject) -> None:
    last = calendar.monthrange(year, month)[1]
    day = data.draw(st.sampled_from([0, *range(last + 1, 32)]))
    result = person.parse_date(f"{day:02d}.{month:02d}.{year}")
    assert codes(result) == ["date-invalid"]


@pytest.mark.parametrize("raw", ["31.02.2020", "29.02.2019", "31.04.2020", "00.01.2000", "01.13.2000", "2020-02-30"])
def test_date_invalid_examples(raw: str) -> None:
    assert codes(person.parse_date(raw)) == ["date-invalid"]


def test_leap_day_is_fine() -> None:
    assert person.parse_date("29.02.2020").value == date(2020, 2, 29)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "вчера",
        "01.02.90",
        "01.02",
        "1990",
        "01..02.1990",
        "01.02.19901",
        "1.2.3.1990",
        "01.02/1990x",
        "1990/02-01",
        "первое февраля 1990",
    ],
)
def test_date_format_examples(raw: str) -> None:
    assert codes(person.parse_date(raw)) == ["date-format"]


@FAST
@given(st.text(max_size=20))
def test_parse_date_never_raises(raw: str) -> None:
    result = person.parse_date(raw)
    assert result.ok or codes(result) in (["date-format"], ["date-invalid"])


# --- age -------------------------------------------------------------------------------------------------


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)), st.integers(1, 120))
def test_age_turns_on_the_birthday(birth: date, years: int) -> None:
    birthday = person.anniversary(birth, years)
    assert person.age_on(birth, birthday) == years
    assert person.age_on(birth, birthday - timedelta(days=1)) == years - 1


@FAST
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
)
def test_age_matches_counting_birthdays(birth: date, on: date) -> None:
    if on < birth:
        assert person.age_on(birth, on) < 0
        return
    count = 0
    while person.anniversary(birth, count + 1) <= on:
        count += 1
    assert person.age_on(birth, on) == count


def test_leap_day_birthday() -> None:
    birth = date(2008, 2, 29)
    assert person.anniversary(birth, 18) == date(2026, 3, 1)
    assert person.age_on(birth, date(2026, 2, 28)) == 17
    assert person.age_on(birth, date(2026, 3, 1)) == 18
    assert person.anniversary(birth, 4) == date(2012, 2, 29)


def test_minor_and_birth_certificate_boundaries() -> None:
    birth = date(2008, 1, 15)
    assert not person.is_minor(birth, date(2026, 1, 15))
    assert person.is_minor(birth, date(2026, 1, 14))
    child = date(2012, 1, 15)
    assert not person.needs_birth_certificate(child, date(2026, 1, 15))
    assert person.needs_birth_certificate(child, date(2026, 1, 14))
    assert person.is_minor(child, TODAY) and person.needs_birth_certificate(date(2020, 1, 1), TODAY)


@pytest.mark.parametrize(
    ("raw", "errors", "value"),
    [
        ("01.02.1990", [], date(1990, 2, 1)),
        ("15.01.2026", [], date(2026, 1, 15)),  # born today
        ("16.01.2026", ["birth-date-future"], None),
        ("16.01.1915", [], date(1915, 1, 16)),  # 110 years old
        ("15.01.1915", ["birth-date-too-old"], None),  # 111 today
        ("31.02.1990", ["date-invalid"], None),
        ("1 февраля", ["date-format"], None),
    ],
)
def test_check_birth_date(raw: str, errors: list[str], value: date | None) -> None:
    result = person.check_birth_date(raw, TODAY)
    assert codes(result) == errors
    assert result.value == value


def test_too_old_names_the_limit() -> None:
    assert person.check_birth_date("01.01.1900", TODAY).errors[0].params == {"max": 110}


# --- names -----------------------------------------------------------------------------------------------

RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
word = st.text(alphabet=RUSSIAN, min_size=1, max_size=8)
PARTS = ("surname", "name", "patronymic")


@FAST
@given(st.lists(word, min_size=1, max_size=3), st.sampled_from(["-", " - ", " "]), st.sampled_from(PARTS))
def test_names_are_capitalised_per_part(words: list[str], joiner: str, part: person.NamePart) -> None:
    raw = joiner.join(words)
    result = person.check_name_part(f"  {raw}  ", part)
    assert result.ok, codes(result)
    expected_parts = [w[0].upper() + w[1:] for w in words]
    expected_joiner = "-" if joiner.strip() == "-" else " "
    lowered = {"оглы", "кызы", "улы", "уулу", "угли", "кизи"}
    if expected_joiner == " ":
        expected_parts = [expected_parts[0]] + [w.lower() if w.lower() in lowered else w for w in expected_parts[1:]]
    assert result.value == expected_joiner.join(expected_parts)
    assert result.value.count("ё") + result.value.count("Ё") == raw.count("ё")  # ё is kept, never е
    assert person.check_name_part(raw.upper(), part).value == result.value  # caps lock gives the same


@pytest.mark.parametrize(
    ("raw", "part", "value"),
    [
        ("иванова-петрова", "surname", "Иванова-Петрова"),
        ("ИВАНОВА-ПЕТРОВА", "surname", "Иванова-Петрова"),
        ("  Иванова   -  петрова ", "surname", "Иванова-Петрова"),
        ("Иванова–Петрова", "surname", "Иванова-Петрова"),  # en dash
        ("алёна", "name", "Алёна"),
        ("Пётр", "name", "Пётр"),
        ("Иванoв", "surname", "Иванов"),  # Latin o among Cyrillic letters
        ("АННA", "name", "Анна"),  # Latin A
        ("анна-мария", "name", "Анна-Мария"),
        ("д’артаньян", "surname", "Д'артаньян"),  # typographic apostrophe
        ("МакКой", "surname", "МакКой"),  # mixed case is kept
        ("гасан оглы", "patronymic", "Гасан оглы"),
        ("ГАСАН ОГЛЫ", "patronymic", "Гасан оглы"),
        ("Сергеевна", "patronymic", "Сергеевна"),
        ("а" * 60, "surname", "А" + "а" * 59),
    ],
)
def test_name_examples(raw: str, part: person.NamePart, value: str) -> None:
    result = person.check_name_part(raw, part)
    assert result.value == value and not result.issues


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "name-empty"),
        ("   ", "name-empty"),
        ("Ivanova", "name-latin"),
        ("Anna", "name-latin"),
        ("Иванqва", "name-latin"),
        ("Иванова2", "name-chars"),
        ("Иванова!", "name-chars"),
        ("Иван_ова", "name-chars"),
        ("-Иванова", "name-chars"),
        ("Иванова-", "name-chars"),
        ("Иванова--Петрова", "name-chars"),
        ("'Иванова", "name-chars"),
        ("Іванова", "name-chars"),  # Ukrainian І is not in the Russian alphabet
        ("а" * 61, "name-too-long"),
    ],
)
@pytest.mark.parametrize("part", PARTS)
def test_name_errors_name_the_field(raw: str, code: str, part: person.NamePart) -> None:
    result = person.check_name_part(raw, part)
    assert codes(result) == [code]
    assert result.errors[0].params["field"] == part
    if code == "name-too-long":
        assert result.errors[0].params["max"] == 60


def test_name_looks_full_is_a_warning() -> None:
    result = person.check_name_part("иванова анна сергеевна", "surname")
    assert result.value == "Иванова Анна Сергеевна"
    assert codes(result) == ["name-looks-full"] and result.issues[0].severity is Severity.WARNING
    assert result.issues[0].params == {"field": "surname"}
    assert not person.check_name_part("Мамед Гасан оглы", "patronymic").issues


@FAST
@given(st.text(max_size=70), st.sampled_from(PARTS))
def test_every_name_issue_carries_the_field(raw: str, part: person.NamePart) -> None:
    result = person.check_name_part(raw, part)
    codes(result)
    assert all(issue.params.get("field") == part for issue in result.issues)
    if result.value is not None:
        assert len(result.value) <= 60 and result.value == result.value.strip()


# --- phone -----------------------------------------------------------------------------------------------


@FAST
@given(
    st.sampled_from(["912", "916", "926", "903", "999", "950"]), st.text(alphabet="0123456789", min_size=7, max_size=7)
)
def test_every_phone_form_gives_the_same_e164(code: str, rest: str) -> None:
    e164 = f"+7{code}{rest}"
    a, b, c, d = rest[:3], rest[3:5], rest[5:], rest
    forms = [
        e164,
        f"+7 {code} {a}-{b}-{c}",
        f"+7 ({code}) {a}-{b}-{c}",
        f"8 {code} {a} {b} {c}",
        f"8({code}){d}",
        f"8-{code}-{a}-{b}-{c}",
        f"{code}{d}",
        f"{code} {a} {b} {c}",
        f"7{code}{d}",  # a Telegram contact has no plus
        f"  +7{code}{d}  ",
        f"+7.{code}.{a}.{b}.{c}",
    ]
    for raw in forms:
        result = person.check_phone(raw)
        assert result.value == e164 and not result.issues, raw


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("+7 495 123-45-67", "phone-not-mobile"),
        ("8 (812) 123-45-67", "phone-not-mobile"),
        ("8 800 555-35-35", "phone-not-mobile"),
        ("+44 20 7946 0958", "phone-not-russian"),
        ("+7 701 123 45 67", "phone-not-russian"),  # Kazakhstan shares +7
        ("+380 44 123 4567", "phone-not-russian"),
        ("447911123456", "phone-not-russian"),
        ("", "phone-invalid"),
        ("12345", "phone-invalid"),
        ("+7 912 345 67 8", "phone-invalid"),
        ("+7 912 345 67 890", "phone-invalid"),
        ("8-912-ABC-67-89", "phone-invalid"),
        ("телефон", "phone-invalid"),
        ("+7 912 345-67-89 доб. 12", "phone-invalid"),
        ("++79123456789", "phone-invalid"),
    ],
)
def test_phone_errors(raw: str, code: str) -> None:
    assert codes(person.check_phone(raw)) == [code]


@FAST
@given(st.text(max_size=25))
def test_check_phone_never_raises(raw: str) -> None:
    result = person.check_phone(raw)
    codes(result)
    if result.value is not None:
        assert result.value.startswith("+79") and len(result.value) == 12


# --- e-mail ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("ivanova@mail.ru", "ivanova@mail.ru"),
        ("  Ivan.Petrov@Yandex.RU ", "Ivan.Petrov@yandex.ru"),
        ("anna+emk@gmail.com", "anna+emk@gmail.com"),
        ("иван@почта.рф", "иван@почта.рф"),
    ],
)
def test_email_valid(raw: str, value: str) -> None:
    result = person.check_email(raw)
    assert result.value == value and not result.issues


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ivanova",
        "ivanova@",
        "@mail.ru",
        "ivanova@@mail.ru",
        "ivanova@mail",
        "ivan ova@mail.ru",
        "ivanova@mail..ru",
        "ivanova@.ru",
    ],
)
def test_email_invalid(raw: str) -> None:
    assert codes(person.check_email(raw)) == ["email-invalid"]


# --- address ---------------------------------------------------------------------------------------------

STREET = "г. Москва, ул. Тверская, д. 1, кв. 2"


@FAST
@given(
    st.sampled_from("123456"),
    st.text(alphabet="0123456789", min_size=5, max_size=5),
    st.sampled_from(["{i}, {s}", "{s}, {i}", "{s} {i}", "  {i}  {s} ", "Россия, {i}, {s}"]),
)
def test_address_finds_the_index_anywhere(first: str, rest: str, template: str) -> None:
    index = first + rest
    raw = template.format(i=index, s=STREET)
    result = person.check_address(raw)
    assert result.value == person.Address(postal_index=index, text=person.collapse_spaces(raw))
    assert not result.issues


def test_address_text_kept_as_written() -> None:
    result = person.check_address(" 125009,  г. Москва,\nул. Тверская,   д. 1 ")
    assert result.value == person.Address("125009", "125009, г. Москва, ул. Тверская, д. 1")


def test_address_skips_a_foreign_looking_number_for_a_russian_index() -> None:
    result = person.check_address(f"125009, {STREET}, офис 900100")
    assert result.value is not None and result.value.postal_index == "125009"


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        (STREET, ["address-no-index"]),
        (f"12500, {STREET}", ["address-no-index"]),
        (f"1250091, {STREET}", ["address-no-index"]),  # seven digits are not an index
        (f"025009, {STREET}", ["address-index-invalid"]),
        (f"925009, {STREET}", ["address-index-invalid"]),
        ("125009, Москва", ["address-too-short"]),
        ("125009", ["address-too-short"]),
        ("125009, 1234567890", ["address-too-short"]),  # no letters at all
        ("", ["address-no-index", "address-too-short"]),
        ("Москва", ["address-no-index", "address-too-short"]),
        (f"125009, {STREET}, " + "д" * 300, ["address-too-long"]),
    ],
)
def test_address_errors(raw: str, errors: list[str]) -> None:
    assert codes(person.check_address(raw)) == errors


def test_address_params() -> None:
    assert person.check_address(f"925009, {STREET}").errors[0].params == {"index": "925009"}
    assert person.check_address("125009, Москва").errors[0].params == {"min": 10}
    assert person.check_address("125009, " + "д" * 300).errors[0].params == {"max": 300}


@pytest.mark.parametrize(
    ("raw", "value", "errors"),
    [
        ("125009", "125009", []),
        (" 125 009 ", "125009", []),
        ("600000", "600000", []),
        ("12500", None, ["postal-index-format"]),
        ("1250099", None, ["postal-index-format"]),
        ("12500а", None, ["postal-index-format"]),
        ("", None, ["postal-index-format"]),
        ("025009", None, ["address-index-invalid"]),
        ("700000", None, ["address-index-invalid"]),
    ],
)
def test_postal_index(raw: str, value: str | None, errors: list[str]) -> None:
    result = person.check_postal_index(raw)
    assert result.value == value and codes(result) == errors


def test_collapse_spaces() -> None:
    assert person.collapse_spaces("  a \t b\u00a0\u00a0c\n") == "a b c"
