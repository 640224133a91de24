"""The clinics file: the shipped example, every kind of mistake named by file, key and problem (through the
loader, as the operator sees it), and the model's own rules: hours minus breaks, regions, picking clinics."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest

from bot.operator_files import EXAMPLE_CLINICS_PATH, OperatorFileError, load_clinics
from domain.clinics import Clinic, Clinics, Interval, Region
from domain.policy import ExamCode
from tests.domain.factories import make_clinic

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
[regions.moscow]
name_ru = "Москва"
name_en = "Moscow"
postal_prefixes = ["10", "11", "12"]
address_words = ["Москва"]

[clinics.central]
name = "Central"
address = "Moscow, Tverskaya 1"
region = "moscow"
latitude = 55.76
longitude = 37.61
phone = "+7 495 000-00-00"
timezone = "Europe/Moscow"
licence = "L-1"
exams = ["therapist", "fluorography"]
slot_minutes = 30
seats = 2

[clinics.central.hours]
mon = ["08:00-12:00", "13:00-17:00"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, exams: list[ExamCode] | None = None) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(OperatorFileError) as info:
        load_clinics(path, exams)
    assert info.value.path == path
    prefix = f"{path}: "
    assert all(line.startswith(prefix) for line in info.value.problems)
    return [line.removeprefix(prefix) for line in info.value.problems]


def edited(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


# --- the shipped example ---------------------------------------------------------------------------------


def test_the_example_file_loads() -> None:
    clinics = load_clinics(EXAMPLE_CLINICS_PATH, list(ExamCode))
    assert len(clinics.clinics) == 3
    zones = {clinic.timezone for clinic in clinics.clinics.values()}
    assert zones == {"Europe/Moscow", "Asia/Yekaterinburg"}
    assert {clinic.region for clinic in clinics.clinics.values()} == set(clinics.regions)
    assert EXAMPLE_CLINICS_PATH == ROOT / "config" / "clinics.example.toml"


def test_the_example_file_shows_and_comments_every_key() -> None:
    text = EXAMPLE_CLINICS_PATH.read_text(encoding="utf-8")
    for key in Clinic.model_fields:
        if key in ("hours", "breaks"):
            assert re.search(rf"^\[clinics\.[a-z-]+\.{key}\]", text, re.MULTILINE), key
        else:
            assert re.search(rf"^{key} = ", text, re.MULTILINE), key
    for key in Region.model_fields:
        assert re.search(rf"^{key} = ", text, re.MULTILINE), key
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"[a-z_]+ = ", line) and not re.match(r"(mon|tue|wed|thu|fri|sat|sun) = ", line):
            assert "#" in line or lines[index - 1].startswith("#"), line


def test_the_base_of_these_tests_is_valid(tmp_path: Path) -> None:
    clinics = load_clinics(write(tmp_path, BASE))
    central = clinics["central"]
    assert central.hours.mon == (Interval(time(8), time(12)), Interval(time(13), time(17)))
    assert central.closed_on_public_holidays is True
    assert central.closed_dates == ()
    assert str(central.zone) == "Europe/Moscow"


# --- every mistake is named --------------------------------------------------------------------------------

EXAM_CHOICES = ", ".join(code.value for code in ExamCode)  # the catalogue, in order

CASES: list[tuple[str, str, str]] = [
    # missing keys
    ('phone = "+7 495 000-00-00"\n', "", "clinics.central.phone: is required"),
    ('timezone = "Europe/Moscow"\n', "", "clinics.central.timezone: is required"),
    ('licence = "L-1"\n', "", "clinics.central.licence: is required"),
    ('[clinics.central.hours]\nmon = ["08:00-12:00", "13:00-17:00"]\n', "", "clinics.central.hours: is required"),
    # bad times
    ('mon = ["08:00-12:00"', 'mon = ["08:00-25:00"', 'clinics.central.hours.mon[0]: has a time that does not exist '
     '(got "08:00-25:00"; times run from 00:00 to 23:59)'),
    ('mon = ["08:00-12:00"', 'mon = ["9-17"', 'clinics.central.hours.mon[0]: must be a time interval like '
     '"08:00-12:00" (got "9-17")'),
    ('mon = ["08:00-12:00"', 'mon = ["08:61-12:00"', 'clinics.central.hours.mon[0]: has a time that does not exist '
     '(got "08:61-12:00"; times run from 00:00 to 23:59)'),
    ('mon = ["08:00-12:00"', 'mon = ["12:00-08:00"', 'clinics.central.hours.mon[0]: must end after it starts '
     '(got "12:00-08:00")'),
    ('mon = ["08:00-12:00"', "mon = [800", 'clinics.central.hours.mon[0]: must be a time interval in quotes like '
     '"08:00-12:00" (got 800)'),
    ('mon = ["08:00-12:00", "13:00-17:00"]', 'mon = "08:00-17:00"',
     'clinics.central.hours.mon: must be a list in square brackets (got "08:00-17:00")'),
    # overlapping hours, breaks outside the hours
    ('mon = ["08:00-12:00", "13:00-17:00"]', 'mon = ["08:00-12:00", "11:30-17:00"]',
     'clinics.central.hours.mon: "08:00-12:00" and "11:30-17:00" overlap'),
    ('mon = ["08:00-12:00", "13:00-17:00"]', 'mon = ["08:00-17:00"]\n[clinics.central.breaks]\n'
     'mon = ["12:00-13:00", "12:30-13:30"]',
     'clinics.central.breaks.mon: "12:00-13:00" and "12:30-13:30" overlap'),
    ('mon = ["08:00-12:00", "13:00-17:00"]', 'mon = ["08:00-12:00", "13:00-17:00"]\n[clinics.central.breaks]\n'
     'mon = ["11:30-13:30"]',
     "clinics.central.breaks.mon: the break 11:30-13:30 is outside the opening hours of mon "
     "(08:00-12:00, 13:00-17:00)"),
    ('mon = ["08:00-12:00", "13:00-17:00"]', 'mon = ["08:00-17:00"]\n[clinics.central.breaks]\n'
     'tue = ["12:00-13:00"]',
     "clinics.central.breaks.tue: the break 12:00-13:00 is outside the opening hours of tue (closed)"),
    ('mon = ["08:00-12:00", "13:00-17:00"]', "mon = []", "clinics.central.hours: must open on at least one weekday"),
    ('mon = ["08:00-12:00", "13:00-17:00"]', 'monday = ["08:00-17:00"]',
     "clinics.central.hours.monday: unknown key (did you mean mon?)"),
    # exams
    ('exams = ["therapist", "fluorography"]', 'exams = ["therapist", "terapevt"]',
     f'clinics.central.exams[1]: must be one of: {EXAM_CHOICES} (got "terapevt")'),
    ('exams = ["therapist", "fluorography"]', "exams = []", "clinics.central.exams: must list at least one exam"),
    ('exams = ["therapist", "fluorography"]', 'exams = ["therapist", "therapist"]',
     'clinics.central.exams: lists "therapist" more than once'),
    # time zone
    ('timezone = "Europe/Moscow"', 'timezone = "Europe/Moskow"',
     'clinics.central.timezone: unknown time zone "Europe/Moskow" (did you mean Europe/Moscow?)'),
    ('timezone = "Europe/Moscow"', 'timezone = "MSK+3"',
     'clinics.central.timezone: unknown time zone "MSK+3" (use an IANA name such as Europe/Moscow or '
     "Asia/Yekaterinburg)"),
    # slot length and seats
    ("slot_minutes = 30", "slot_minutes = 4", "clinics.central.slot_minutes: must be between 5 and 240 (got 4)"),
    ("slot_minutes = 30", "slot_minutes = 241", "clinics.central.slot_minutes: must be between 5 and 240 (got 241)"),
    ("slot_minutes = 30", 'slot_minutes = "30"', 'clinics.central.slot_minutes: must be a whole number (got "30")'),
    ("seats = 2", "seats = 0", "clinics.central.seats: must be between 1 and 50 (got 0)"),
    ("seats = 2", "seats = 51", "clinics.central.seats: must be between 1 and 50 (got 51)"),
    # the rest of a clinic
    ('region = "moscow"', 'region = "ural"',
     'clinics.central.region: unknown region "ural" (regions in this file: moscow)'),
    ("latitude = 55.76", "latitude = 91", "clinics.central.latitude: must be between -90 and 90 (got 91)"),
    ('phone = "+7 495 000-00-00"', 'phone = "call us"',
     'clinics.central.phone: must be a phone number like "+7 495 123-45-67" (got "call us")'),
    ('name = "Central"', 'name = "  "', "clinics.central.name: must not be empty"),
    ("seats = 2", "seats = 2\nclosed_dates = [2026-05-04, 2026-05-04]",
     "clinics.central.closed_dates: lists 2026-05-04 more than once"),
    ("seats = 2", 'seats = 2\nclosed_dates = ["2026-02-30"]',
     "clinics.central.closed_dates[0]: input should be a valid date or datetime, day value is outside expected range"),
    ("seats = 2", 'seats = 2\nclosed_on_public_holidays = "yes"',
     'clinics.central.closed_on_public_holidays: must be true or false (got "yes")'),
    ("seats = 2", "seats = 2\ncabinets = 3", "clinics.central.cabinets: unknown key (allowed here: "
     "name, address, region, latitude, longitude, phone, timezone, hours, breaks, closed_dates, "
     "closed_on_public_holidays, licence, exams, slot_minutes, seats)"),
    # regions
    ('postal_prefixes = ["10", "11", "12"]', 'postal_prefixes = ["70"]',
     'regions.moscow.postal_prefixes[0]: must be the first 1 to 6 digits of a Russian postal index, starting with '
     '1 to 6 (got "70")'),
    ('name_en = "Moscow"\n', "", "regions.moscow.name_en: is required"),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES, ids=[case[2].split(":")[0] for case in CASES])
def test_each_mistake_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert problems(tmp_path, edited(old, new)) == [expected]


def test_a_bad_clinic_code_is_named(tmp_path: Path) -> None:
    text = BASE.replace("[clinics.central", '[clinics."Central Clinic"')
    assert problems(tmp_path, text) == [
        'clinics."Central Clinic": a clinic code must be 1 to 32 lowercase Latin letters, digits, _ or -, '
        "starting with a letter"
    ]


def test_a_clinic_code_used_twice_is_named_with_its_line(tmp_path: Path) -> None:
    text = BASE + '\n[clinics.central]\nname = "Another"\n'
    line = BASE.count("\n") + 2
    assert problems(tmp_path, text) == [
        f"line {line}, column 17: invalid TOML: Cannot declare ('clinics', 'central') twice"
    ]


def test_a_file_without_clinics_is_named(tmp_path: Path) -> None:
    text = BASE.split("[clinics.central]")[0]
    assert problems(tmp_path, text) == ["clinics: is required"]
    assert problems(tmp_path, text + "[clinics]\n") == ["clinics: must have at least one entry"]


def test_an_exam_the_policy_does_not_have_is_named(tmp_path: Path) -> None:
    assert problems(tmp_path, BASE, [ExamCode.THERAPIST, ExamCode.DENTIST]) == [
        "clinics.central.exams[1]: fluorography is not an exam of the policy (its exams: dentist, therapist)"
    ]
    assert load_clinics(write(tmp_path, BASE), [ExamCode.THERAPIST, ExamCode.FLUOROGRAPHY])


def test_every_mistake_of_a_file_is_named_at_once(tmp_path: Path) -> None:
    text = edited("seats = 2", "seats = 0").replace("slot_minutes = 30", "slot_minutes = 1")
    text += '\n[clinics.second]\nname = "Second"\n'
    found = problems(tmp_path, text)
    assert "clinics.central.seats: must be between 1 and 50 (got 0)" in found
    assert "clinics.central.slot_minutes: must be between 5 and 240 (got 1)" in found
    for key in ("address", "region", "latitude", "longitude", "phone", "timezone", "hours", "licence", "exams"):
        assert f"clinics.second.{key}: is required" in found


# --- the model's rules -------------------------------------------------------------------------------------


def test_working_intervals_are_the_hours_minus_the_breaks() -> None:
    monday, tuesday = date(2026, 6, 1), date(2026, 6, 2)
    central = make_clinic(
        hours={"mon": ["13:00-17:00", "08:00-12:00"], "tue": ["08:00-17:00"]},
        breaks={"mon": ["10:00-10:15", "16:30-17:00"], "tue": ["12:00-13:00"]},
    )
    assert central.hours.mon[0] == Interval(time(8), time(12))  # sorted
    assert central.working_intervals(monday) == (
        Interval(time(8), time(10)),
        Interval(time(10, 15), time(12)),
        Interval(time(13), time(16, 30)),
    )
    assert central.working_intervals(tuesday) == (Interval(time(8), time(12)), Interval(time(13), time(17)))
    assert central.working_intervals(date(2026, 6, 3)) == ()


def test_defaults() -> None:
    central = make_clinic()
    assert (central.slot_minutes, central.seats, central.closed_on_public_holidays) == (15, 1, True)


def regions_and_clinics() -> Clinics:
    return Clinics.model_validate(
        {
            "regions": {
                "moscow": {"name_ru": "Москва", "name_en": "Moscow", "postal_prefixes": ["10", "11", "12"],
                           "address_words": ["Москва"]},
                "mo": {"name_ru": "Московская область", "name_en": "Moscow Oblast",
                       "postal_prefixes": ["14", "124"], "address_words": ["Московская область"]},
                "sverdlovsk": {"name_ru": "Свердловская область", "name_en": "Sverdlovsk Oblast",
                               "postal_prefixes": ["62"], "address_words": ["Свердловская", "Екатеринбург"]},
                "orel": {"name_ru": "Орловская область", "name_en": "Oryol Oblast", "address_words": ["Орёл"]},
            },
            "clinics": {
                "a": make_clinic(name="Beta", exams=["therapist"]).model_dump(),
                "b": make_clinic(name="alpha", exams=["therapist", "dentist"]).model_dump(),
                "c": make_clinic(name="Gamma", exams=["vaccination_measles"]).model_dump(),
                "d": make_clinic(name="Ural", region="sverdlovsk", exams=["therapist", "dentist"]).model_dump(),
            },
        }
    )


def test_region_from_the_postal_index_longest_prefix_first() -> None:
    clinics = regions_and_clinics()
    assert clinics.region_of_address("125009", "Москва, Тверская 12") == "moscow"
    assert clinics.region_of_address("124460", "Зеленоград") == "mo"  # "124" beats "12"
    assert clinics.region_of_address("620014", None) == "sverdlovsk"


def test_region_from_the_words_of_the_address() -> None:
    clinics = regions_and_clinics()
    assert clinics.region_of_address("390000", "г. Екатеринбург, ул. Малышева, 51") == "sverdlovsk"
    assert clinics.region_of_address(None, "Московская область, Химки") == "mo"
    assert clinics.region_of_address(None, "г. ОРЕЛ, ул. Ленина") == "orel"  # any case, ё as е
    assert clinics.region_of_address(None, "Москва") == "moscow"


def test_a_region_that_cannot_be_told_is_left_to_the_citizen() -> None:
    clinics = regions_and_clinics()
    assert clinics.region_of_address("390000", "г. Рязань") is None
    assert clinics.region_of_address(None, "Москва или Екатеринбург") is None  # two regions named
    assert clinics.region_of_address(None, "Москвабад") is None  # whole words only
    assert clinics.region_of_address(None, None) is None


def test_picking_clinics_by_region_and_exams() -> None:
    clinics = regions_and_clinics()
    assert clinics.pick(region="moscow") == ["b", "a", "c"]  # by name, case-insensitively
    assert clinics.pick(region="moscow", exams=[ExamCode.THERAPIST, ExamCode.DENTIST]) == ["b", "a"]
    assert clinics.pick(exams=[ExamCode.DENTIST, ExamCode.THERAPIST]) == ["b", "d", "a"]
    assert clinics.pick(region="moscow", exams=[ExamCode.FLUOROGRAPHY]) == []
    assert clinics.pick(region="orel") == []
