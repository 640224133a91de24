"""Operator files: the shipped policy example, every kind of mistake named by file, key and problem, the
texts the loader fills in, and the loader on a model of its own (the clinics file will use it too)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

import bot.operator_files as operator_files
from bot.operator_files import EXAMPLE_POLICY_PATH, OperatorFileError, load_policy, load_toml, read_toml
from domain.policy import Category, ExamCode, ExamPolicy, Policy, QuietHours

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "policy.example.toml"
BUILTIN = ["food", "children", "communal", "water", "medical", "other"]
STATE_DUTY_WORD = "гос" + "пошлин"  # spelled in two parts so this file does not contain the word itself
TEXT_KEYS = {
    "payment": ("covers_ru", "covers_en", "instructions_ru", "instructions_en"),
    "support": ("contact_ru", "contact_en"),
}


def write(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(OperatorFileError) as info:
        load_policy(path)
    assert info.value.path == path
    assert str(info.value) == "\n".join(info.value.problems)
    prefix = f"{path}: "
    assert all(line.startswith(prefix) for line in info.value.problems)
    return [line.removeprefix(prefix) for line in info.value.problems]


def example_texts() -> dict[str, dict[str, Any]]:
    data = read_toml(EXAMPLE)
    return {section: {key: data[section][key] for key in keys} for section, keys in TEXT_KEYS.items()}


def defaults() -> Policy:
    """The model's defaults with the example's texts (the model has no default for texts)."""
    return Policy.model_validate(example_texts())


# --- the shipped example ---------------------------------------------------------------------------------


def test_example_file_is_the_one_the_texts_come_from() -> None:
    assert EXAMPLE_POLICY_PATH == EXAMPLE


def test_example_file_parses_to_exactly_the_defaults() -> None:
    assert load_policy(EXAMPLE) == defaults()


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "# nothing changed\n")) == defaults()


def test_shipped_texts_are_trimmed_and_not_empty() -> None:
    policy = load_policy(EXAMPLE)
    for section, keys in TEXT_KEYS.items():
        for key in keys:
            text = getattr(getattr(policy, section), key)
            assert text and text == text.strip(), (section, key)


def test_texts_the_operator_leaves_out_come_from_the_example(tmp_path: Path) -> None:
    text = '[payment]\nprice_rub = 900\ncovers_en = "Our own words"\n[support]\ncontact_ru = "Own words"\n'
    policy = load_policy(write(tmp_path, text))
    shipped = load_policy(EXAMPLE)
    assert policy.payment.price_rub == 900
    assert policy.payment.covers_en == "Our own words"
    assert policy.support.contact_ru == "Own words"
    assert policy.payment.covers_ru == shipped.payment.covers_ru
    assert policy.payment.instructions_en == shipped.payment.instructions_en
    assert policy.support.contact_en == shipped.support.contact_en


def test_an_example_without_its_texts_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = write(tmp_path, '[payment]\ncovers_ru = "x"\n', name="example.toml")
    monkeypatch.setattr(operator_files, "EXAMPLE_POLICY_PATH", broken)
    operator_files._shipped_texts.cache_clear()
    try:
        with pytest.raises(OperatorFileError) as info:
            load_policy(write(tmp_path, ""))
    finally:
        operator_files._shipped_texts.cache_clear()
    assert info.value.path == broken
    assert len(info.value.problems) == 5
    assert info.value.problems[0] == (
        f"{broken}: payment.covers_en: is required here (the default operator texts are read from it)"
    )


def _model_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _sections(text: str) -> dict[str, str]:
    """Table name → its body (comments included)."""
    found: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        header = re.fullmatch(r"\[([^\]]+)\]\s*(#.*)?", line)
        if header:
            current = header.group(1)
            found[current] = ""
        else:
            found[current] = found.get(current, "") + line + "\n"
    return found


def test_example_file_shows_every_key() -> None:
    sections = _sections(EXAMPLE.read_text(encoding="utf-8"))
    policy = defaults()
    expected: dict[str, list[str]] = {f"categories.{code}": _model_keys(Category) for code in BUILTIN}
    for name in ("book", "documents", "payment", "reminders", "booking", "retention", "support"):  # exams: below
        model = type(getattr(policy, name))
        expected[name] = [k for k in _model_keys(model) if not isinstance(getattr(getattr(policy, name), k), BaseModel)]
    expected["reminders.quiet_hours"] = _model_keys(QuietHours)
    expected["exams"] = [k for k in _model_keys(ExamPolicy) if k != "items"]
    expected["exams.items"] = [code.value for code in ExamCode]  # one line per item, its keys in the comments
    assert sorted(sections.keys() - {""}) == sorted(expected)
    for section, keys in expected.items():
        for key in keys:
            # Optional keys with no default (title_ru, title_en) are shown commented out.
            assert re.search(rf"^(# )?{key} = ", sections[section], re.MULTILINE), (section, key)


def test_example_file_comments_every_key() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if re.match(r"[a-z_]+ = ", line):
            assert "#" in line or lines[index - 1].startswith("#"), line


def test_example_file_order_of_categories() -> None:
    assert list(load_policy(EXAMPLE).categories) == BUILTIN


def test_no_state_duty_wording_anywhere() -> None:
    for path in (EXAMPLE, ROOT / "domain" / "policy.py", ROOT / "bot" / "operator_files.py"):
        assert STATE_DUTY_WORD not in path.read_text(encoding="utf-8").lower(), path


# --- mistakes: every line names the key and the problem ----------------------------------------------------

EXAM_CHOICES = ", ".join(code.value for code in ExamCode)  # the catalogue, in order

CASES: list[tuple[str, str]] = [
    (
        "[categories.food]\nperiodic_exam_months = 0",
        "categories.food.periodic_exam_months: must be between 1 and 120 (got 0)",
    ),
    (
        "[categories.water]\nattestation_months = 121",
        "categories.water.attestation_months: must be between 1 and 120 (got 121)",
    ),
    (
        '[categories.food]\nperiodic_exam_months = "12"',
        'categories.food.periodic_exam_months: must be a whole number (got "12")',
    ),
    (
        "[categories.food]\nperiodic_exam_months = 12.0",
        "categories.food.periodic_exam_months: must be a whole number (got 12.0)",
    ),
    (
        "[categories.food]\nperiodic_exam_months = true",
        "categories.food.periodic_exam_months: must be a whole number (got true)",
    ),
    ('[categories.food]\nenabled = "yes"', 'categories.food.enabled: must be true or false (got "yes")'),
    ("[categories.food]\nenabled = 1", "categories.food.enabled: must be true or false (got 1)"),
    (
        '[categories.food]\nexams = ["therapist", "terapevt"]',
        f'categories.food.exams[1]: must be one of: {EXAM_CHOICES} (got "terapevt")',
    ),
    ("[categories.food]\nexams = []", "categories.food.exams: must list at least one exam"),
    (
        '[categories.food]\nexams = ["dentist", "dentist"]',
        'categories.food.exams: lists "dentist" more than once',
    ),
    (
        '[categories.food]\nexams = "therapist"',
        'categories.food.exams: must be a list in square brackets (got "therapist")',
    ),
    ("[categories]\nfood = 5", "categories.food: must be a table (got 5)"),
    ("categories = 5", "categories: must be a table (got 5)"),
    ('[categories.food]\ntitle_ru = "  "', "categories.food.title_ru: must not be empty"),
    (
        f'[categories.food]\ntitle_en = "{"x" * 65}"',
        "categories.food.title_en: must be at most 64 characters (got 65)",
    ),
    (
        '[categories.transport]\nexams = ["therapist"]\ntitle_ru = "Транспорт"',
        "categories.transport.title_en: is required for a category that is not built in",
    ),
    (
        '[categories.transport]\ntitle_ru = "Транспорт"\ntitle_en = "Transport"',
        "categories.transport.exams: is required",
    ),
    (
        '[categories."Bad Code"]\nexams = ["therapist"]\ntitle_ru = "А"\ntitle_en = "A"',
        'categories."Bad Code": a category code must be 1 to 32 lowercase Latin letters, digits or _, '
        "starting with a letter",
    ),
    (
        "".join(f"[categories.{code}]\nenabled = false\n" for code in BUILTIN),
        "categories: at least one category must have enabled = true",
    ),
    ("[book]\nvalidity_months_minor = 0", "book.validity_months_minor: must be between 1 and 240 (got 0)"),
    (
        '[documents]\nrequired_adult = ["passport"]',
        "documents.required_adult[0]: must be one of: passport_main, passport_registration, oms_policy, "
        'birth_certificate, others (got "passport")',
    ),
    (
        '[documents]\nrequired_child = ["oms_policy", "oms_policy"]',
        'documents.required_child: lists "oms_policy" more than once',
    ),
    (
        '[documents]\noptional = ["oms_policy"]',
        "documents.optional: oms_policy is also in required_adult and required_child; "
        "a document cannot be both required and optional",
    ),
    (
        '[documents]\noptional = ["others", "passport_main"]',
        "documents.optional: passport_main is also in required_adult; a document cannot be both required and optional",
    ),
    ("[payment]\nprice_rub = -1", "payment.price_rub: must be between 0 and 1000000 (got -1)"),
    (
        "[payment]\nprice_rub = 10.555",
        "payment.price_rub: must have at most 2 digits after the decimal point (got 10.555)",
    ),
    ('[payment]\nprice_rub = "abc"', 'payment.price_rub: must be a number (got "abc")'),
    ("[payment]\nprice_rub = nan", "payment.price_rub: must be a finite number (got NaN)"),
    ("[payment]\nprice_rub = true", "payment.price_rub: must be a number (got true)"),
    ('[payment]\ncurrency = "USD"', 'payment.currency: must be RUB (got "USD")'),
    ('[payment]\ncovers_ru = "   "', "payment.covers_ru: must not be empty"),
    (f'[payment]\ncovers_en = "{"x" * 256}"', "payment.covers_en: must be at most 255 characters (got 256)"),
    (
        f'[payment]\ninstructions_ru = "Оплатите {STATE_DUTY_WORD}у в банке"',
        "payment.instructions_ru: must not call the payment a state duty (пошлина): "
        "there is no state duty for a medical book",
    ),
    (
        '[payment]\ninstructions_en = "Pay the State  Duty"',
        "payment.instructions_en: must not call the payment a state duty (пошлина): "
        "there is no state duty for a medical book",
    ),
    (
        '[payment]\nexemptions = ["veteran"]',
        'payment.exemptions[0]: must be one of: student, pensioner, child_under_14 (got "veteran")',
    ),
    (
        '[payment]\nexemptions = "student"',
        'payment.exemptions: must be a list in square brackets (got "student")',
    ),
    (
        "[reminders]\nvalidity_days_before = [30, 7, 30]",
        "reminders.validity_days_before: lists 30 more than once",
    ),
    (
        "[reminders]\nvalidity_days_before = [7, -1]",
        "reminders.validity_days_before[1]: must be between 0 and 365 (got -1)",
    ),
    (
        "[reminders]\nappointment_hours_before = 0",
        "reminders.appointment_hours_before: must be between 1 and 23 (got 0)",
    ),
    (
        "[reminders]\nappointment_day_before_hour = 24",
        "reminders.appointment_day_before_hour: must be between 0 and 23 (got 24)",
    ),
    (
        "[reminders]\nstuck_application_hours = 0",
        "reminders.stuck_application_hours: must be between 1 and 720 (got 0)",
    ),
    ("[reminders.quiet_hours]\nstart = 24", "reminders.quiet_hours.start: must be between 0 and 23 (got 24)"),
    ("[booking]\nhorizon_days = 0", "booking.horizon_days: must be between 1 and 90 (got 0)"),
    ("[support]\ncontact_en = 5", "support.contact_en: must be text in quotes (got 5)"),
    (
        "colour = 1",
        "colour: unknown key (allowed here: categories, book, documents, payment, reminders, booking, exams, support, "
        "retention)",
    ),
    ("[category.food]\nenabled = true", "category: unknown key (did you mean categories?)"),
    (
        "[categories.food]\nperiodic_exam_month = 3",
        "categories.food.periodic_exam_month: unknown key (did you mean periodic_exam_months?)",
    ),
    (
        "[reminders.quiet_hours]\nbegin = 23",
        "reminders.quiet_hours.begin: unknown key (allowed here: start, end)",
    ),
    ("[payment]\nprice = 100", "payment.price: unknown key (did you mean price_rub?)"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[expected.split(":")[0] for _, expected in CASES])
def test_each_mistake_is_named(tmp_path: Path, text: str, expected: str) -> None:
    assert problems(tmp_path, text + "\n") == [expected]


def test_the_message_names_the_file_key_and_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "[categories.food]\nperiodic_exam_months = 0\n")
    with pytest.raises(OperatorFileError) as info:
        load_policy(path)
    assert str(info.value) == f"{path}: categories.food.periodic_exam_months: must be between 1 and 120 (got 0)"


def test_several_mistakes_give_one_line_each(tmp_path: Path) -> None:
    text = """
colour = 1
[categories.food]
periodic_exam_months = 0
enabled = "no"
[payment]
price_rub = -5
[reminders.quiet_hours]
end = 99
"""
    assert sorted(problems(tmp_path, text)) == sorted(
        [
            "colour: unknown key (allowed here: categories, book, documents, payment, reminders, booking, exams, "
            "support, retention)",
            "categories.food.periodic_exam_months: must be between 1 and 120 (got 0)",
            'categories.food.enabled: must be true or false (got "no")',
            "payment.price_rub: must be between 0 and 1000000 (got -5)",
            "reminders.quiet_hours.end: must be between 0 and 23 (got 99)",
        ]
    )


def test_several_rule_problems_give_one_line_each(tmp_path: Path) -> None:
    text = '[categories.transport]\nexams = ["therapist"]\n[categories.loader]\nexams = ["therapist"]\n'
    assert problems(tmp_path, text) == [
        f"categories.{code}.{key}: is required for a category that is not built in"
        for code in ("transport", "loader")
        for key in ("title_ru", "title_en")
    ]


def test_long_values_are_shortened_in_messages(tmp_path: Path) -> None:
    [line] = problems(tmp_path, f'[book]\nvalidity_months_adult = "{"9" * 200}"\n')
    assert line.startswith("book.validity_months_adult: must be a whole number (got ")
    assert line.endswith("...)") and len(line) < 130


# --- files that are not TOML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[book]\nvalidity_months_adult = \n", "line 2, column 25"),
        ("[book]\nvalidity_months_adult = 60\nvalidity_months_adult = 61\n", "line 3, column 27"),
        ("[book\n", "line 1, column 6"),
        ('[support]\ncontact_ru = "abc', "line 2, column 18"),
    ],
)
def test_toml_syntax_error_names_line_and_column(tmp_path: Path, text: str, where: str) -> None:
    [line] = problems(tmp_path, text)
    assert line.startswith(f"{where}: invalid TOML: "), line
    assert len(line) > len(f"{where}: invalid TOML: ")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(OperatorFileError) as info:
        load_policy(path)
    assert str(info.value) == f"{path}: cannot read the file: No such file or directory"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes('[support]\ncontact_ru = "Звоните"\n'.encode("cp1251"))
    with pytest.raises(OperatorFileError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"{path}: is not UTF-8 text")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"\xef\xbb\xbf[book]\nvalidity_months_adult = 48\n")
    assert load_policy(path).book.validity_months_adult == 48


# --- the same loader for another operator file -------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Clinic(_Strict):
    name: str
    slots_per_hour: int = 4


class Clinics(_Strict):
    clinics: dict[str, Clinic]
    city: str = "Moscow"


def test_load_toml_takes_any_model(tmp_path: Path) -> None:
    path = write(tmp_path, '[clinics.north]\nname = "North"\n', name="clinics.toml")
    assert load_toml(path, Clinics) == Clinics(clinics={"north": Clinic(name="North")})


def test_load_toml_names_file_key_and_problem_for_any_model(tmp_path: Path) -> None:
    text = '[clinics.north]\nslots_per_hr = 5\n[clinics.south]\nname = "South"\nslots_per_hour = "many"\n'
    path = write(tmp_path, text, name="clinics.toml")
    with pytest.raises(OperatorFileError) as info:
        load_toml(path, Clinics)
    assert sorted(info.value.problems) == sorted(
        [
            f"{path}: clinics.north.name: is required",
            f"{path}: clinics.north.slots_per_hr: unknown key (did you mean slots_per_hour?)",
            f'{path}: clinics.south.slots_per_hour: must be a whole number (got "many")',
        ]
    )


def test_load_toml_defaults_fill_tables_under_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[clinics.north]\nname = "North"\n', name="clinics.toml")
    base: dict[str, Any] = {"city": "Kazan", "clinics": {"north": {"slots_per_hour": 9, "name": "Old"}}}
    assert load_toml(path, Clinics, defaults=base) == Clinics(
        clinics={"north": Clinic(name="North", slots_per_hour=9)}, city="Kazan"
    )
    # A value that is not a table replaces the default table, and is reported as the file wrote it.
    path.write_text("clinics = 5\n", encoding="utf-8")
    with pytest.raises(OperatorFileError) as info:
        load_toml(path, Clinics, defaults=base)
    assert info.value.problems == (f"{path}: clinics: must be a table (got 5)",)


def test_floats_are_read_exactly(tmp_path: Path) -> None:
    assert read_toml(write(tmp_path, "price = 0.1\n")) == {"price": Decimal("0.1")}
