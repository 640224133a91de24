"""The operator's policy file: the shipped example, every kind of mistake, the helpers."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from domain.policy import (
    EXAMPLE_POLICY_PATH,
    Category,
    DocumentKind,
    ExamCode,
    Exemption,
    Policy,
    PolicyError,
    QuietHours,
    load_policy,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "policy.example.toml"
BUILTIN = ["food", "children", "communal", "water", "medical", "other"]
STATE_DUTY_WORD = "гос" + "пошлин"  # spelled in two parts so this file does not contain the word itself


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert info.value.path == path
    assert str(info.value) == "\n".join(info.value.problems)
    prefix = f"{path}: "
    assert all(line.startswith(prefix) for line in info.value.problems)
    return [line.removeprefix(prefix) for line in info.value.problems]


# --- the shipped example ---------------------------------------------------------------------------------


def test_example_file_is_the_one_the_defaults_read() -> None:
    assert EXAMPLE_POLICY_PATH == EXAMPLE


def test_example_file_parses_to_exactly_the_defaults() -> None:
    assert load_policy(EXAMPLE) == Policy()


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "# nothing changed\n")) == Policy()


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
    policy = Policy()
    expected: dict[str, list[str]] = {f"categories.{code}": _model_keys(Category) for code in BUILTIN}
    for name in ("book", "documents", "payment", "reminders", "support"):
        model = type(getattr(policy, name))
        expected[name] = [
            k for k in _model_keys(model) if not isinstance(getattr(getattr(policy, name), k), BaseModel)
        ]
    expected["reminders.quiet_hours"] = _model_keys(QuietHours)
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
    assert list(Policy().categories) == BUILTIN


def test_no_state_duty_wording_anywhere() -> None:
    for path in (EXAMPLE, ROOT / "domain" / "policy.py"):
        assert STATE_DUTY_WORD not in path.read_text(encoding="utf-8").lower(), path


# --- sourced defaults ------------------------------------------------------------------------------------


def test_default_periods() -> None:
    policy = Policy()
    for code in BUILTIN:
        assert policy.categories[code].periodic_exam_months == 12
        assert policy.categories[code].attestation_months == (12 if code in ("food", "children") else 24)
        assert policy.categories[code].enabled
        assert policy.categories[code].title_ru is None and policy.categories[code].title_en is None
    assert policy.book_validity_months(is_minor=False) == 60
    assert policy.book_validity_months(is_minor=True) == 36
    assert policy.reminders.validity_days_before == (60, 30, 7, 1, 0)
    assert policy.reminders.appointment_hours_before == (24, 2)
    assert policy.reminders.stuck_application_hours == 48
    assert (policy.reminders.quiet_hours.start, policy.reminders.quiet_hours.end) == (22, 8)


def test_default_exams() -> None:
    policy = Policy()
    for code in BUILTIN:
        exams = policy.exams_for(code)
        assert len(set(exams)) == len(exams)
        assert {ExamCode.THERAPIST, ExamCode.FLUOROGRAPHY, ExamCode.HYGIENE_ATTESTATION} <= set(exams)
    for code in ("food", "children", "water"):
        assert ExamCode.INFECTIONIST in policy.exams_for(code)
    assert policy.exams_for("food") == list(ExamCode)


def test_default_documents_and_payment() -> None:
    policy = Policy()
    assert policy.required_documents(is_child=False) == [
        DocumentKind.PASSPORT_MAIN,
        DocumentKind.PASSPORT_REGISTRATION,
        DocumentKind.OMS_POLICY,
    ]
    assert policy.required_documents(is_child=True) == [
        DocumentKind.BIRTH_CERTIFICATE,
        DocumentKind.OMS_POLICY,
    ]
    assert policy.documents.optional == (DocumentKind.OTHERS,)
    assert policy.payment.price_rub == 0
    assert not policy.requires_payment
    assert policy.payment.currency == "RUB"
    assert policy.payment.exemptions == (Exemption.STUDENT, Exemption.PENSIONER, Exemption.CHILD_UNDER_14)
    for text in (
        policy.payment.covers_ru,
        policy.payment.covers_en,
        policy.payment.instructions_ru,
        policy.payment.instructions_en,
        policy.support.contact_ru,
        policy.support.contact_en,
    ):
        assert text and text == text.strip()


# --- mistakes: every line names the key and the problem ----------------------------------------------------

EXAM_CHOICES = (
    "therapist, dermatovenereologist, dentist, otorhinolaryngologist, infectionist, fluorography, "
    "blood_urine_tests, hygiene_attestation, vaccinations"
)

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
        "documents.optional: passport_main is also in required_adult; "
        "a document cannot be both required and optional",
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
        "[reminders]\nappointment_hours_before = [0]",
        "reminders.appointment_hours_before[0]: must be between 1 and 168 (got 0)",
    ),
    (
        "[reminders]\nstuck_application_hours = 0",
        "reminders.stuck_application_hours: must be between 1 and 720 (got 0)",
    ),
    ("[reminders.quiet_hours]\nstart = 24", "reminders.quiet_hours.start: must be between 0 and 23 (got 24)"),
    ("[support]\ncontact_en = 5", "support.contact_en: must be text in quotes (got 5)"),
    (
        "colour = 1",
        "colour: unknown key (allowed here: categories, book, documents, payment, reminders, support)",
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
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert (
        str(info.value) == f"{path}: categories.food.periodic_exam_months: must be between 1 and 120 (got 0)"
    )


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
            "colour: unknown key (allowed here: categories, book, documents, payment, reminders, support)",
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
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value) == f"{path}: cannot read the file: No such file or directory"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes('[support]\ncontact_ru = "Звоните"\n'.encode("cp1251"))
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"{path}: is not UTF-8 text")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"\xef\xbb\xbf[book]\nvalidity_months_adult = 48\n")
    assert load_policy(path).book.validity_months_adult == 48


# --- what an operator may change ---------------------------------------------------------------------------


def test_overriding_a_key_keeps_the_other_defaults(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "[categories.food]\nperiodic_exam_months = 6\n"))
    assert policy.categories["food"].periodic_exam_months == 6
    assert policy.categories["food"].attestation_months == 12
    assert policy.exams_for("food") == Policy().exams_for("food")
    assert list(policy.categories) == BUILTIN


def test_disabling_hides_a_category_but_keeps_it_resolvable(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "[categories.medical]\nenabled = false\n"))
    assert policy.enabled_categories() == ["food", "children", "communal", "water", "other"]
    assert policy.exams_for("medical") == Policy().exams_for("medical")


def test_a_new_category(tmp_path: Path) -> None:
    text = (
        '[categories.transport]\nexams = ["therapist", "fluorography"]\n'
        'title_ru = "Транспорт"\ntitle_en = "Transport"\n'
    )
    policy = load_policy(write(tmp_path, text))
    assert policy.enabled_categories() == [*BUILTIN, "transport"]
    assert policy.exams_for("transport") == [ExamCode.THERAPIST, ExamCode.FLUOROGRAPHY]
    transport = policy.category("transport")
    assert (transport.periodic_exam_months, transport.attestation_months) == (12, 24)
    assert (transport.title_ru, transport.title_en) == ("Транспорт", "Transport")


def test_unknown_category_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="unknown work category 'pilots'"):
        Policy().exams_for("pilots")


def test_price_and_payment(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "[payment]\nprice_rub = 1500.50\nexemptions = []\n"))
    assert policy.requires_payment
    assert policy.payment.price_rub == Decimal("1500.50")
    assert policy.payment.price_minor_units == 150050
    assert policy.payment.exemptions == ()
    assert load_policy(write(tmp_path, "[payment]\nprice_rub = 700\n")).payment.price_minor_units == 70000


def test_exemption_proof() -> None:
    assert Exemption.STUDENT.needs_proof
    assert Exemption.PENSIONER.needs_proof
    assert not Exemption.CHILD_UNDER_14.needs_proof


def test_reminder_offsets_are_sorted_latest_first(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "[reminders]\nvalidity_days_before = [0, 14, 90]\n"))
    assert policy.reminders.validity_days_before == (90, 14, 0)


def test_texts_are_trimmed(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, '[support]\ncontact_en = """\n  Call +7 900 000-00-00\n"""\n'))
    assert policy.support.contact_en == "Call +7 900 000-00-00"


@pytest.mark.parametrize(
    ("start", "end", "quiet", "loud"),
    [
        (22, 8, [22, 23, 0, 7], [8, 12, 21]),
        (1, 6, [1, 5], [0, 6, 23]),
        (9, 9, [], [0, 9, 23]),
    ],
)
def test_quiet_hours(start: int, end: int, quiet: list[int], loud: list[int]) -> None:
    hours = QuietHours(start=start, end=end)
    assert all(hours.is_quiet(time(h, 30)) for h in quiet)
    assert not any(hours.is_quiet(time(h, 30)) for h in loud)


def test_policy_is_immutable() -> None:
    policy = Policy()
    with pytest.raises(ValidationError):
        policy.book = policy.book  # type: ignore[misc]


def test_python_construction_is_validated_too() -> None:
    data: dict[str, Any] = {"categories": {"food": {"periodic_exam_months": 0}}}
    with pytest.raises(ValidationError):
        Policy.model_validate(data)
    replaced = Policy.model_validate({"categories": {"food": Category(exams=(ExamCode.THERAPIST,))}})
    assert replaced.exams_for("food") == [ExamCode.THERAPIST]
    assert replaced.categories["food"].attestation_months == 24  # a Category object replaces the whole entry
