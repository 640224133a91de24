"""The policy model: its defaults and their sources, what an operator may change, its rules (pure, no files).

How the file is read and how each mistake is reported: tests/test_operator_files.py.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.policy import BUILTIN_CATEGORY_CODES, Category, DocumentKind, ExamCode, Exemption, Policy, QuietHours

BUILTIN = ["food", "children", "communal", "water", "medical", "other"]

# The model has no default for operator texts (the loader takes them from the shipped example).
TEXTS: dict[str, dict[str, Any]] = {
    "payment": {
        "covers_ru": "covers (ru)",
        "covers_en": "covers (en)",
        "instructions_ru": "instructions (ru)",
        "instructions_en": "instructions (en)",
    },
    "support": {"contact_ru": "contact (ru)", "contact_en": "contact (en)"},
}


def make(data: dict[str, Any] | None = None) -> Policy:
    """A policy from what an operator file would hold, with the texts filled in."""
    merged = deepcopy(TEXTS)
    for section, value in (data or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(section), dict):
            merged[section].update(value)
        else:
            merged[section] = value
    return Policy.model_validate(merged)


def test_builtin_codes() -> None:
    assert list(BUILTIN_CATEGORY_CODES) == BUILTIN
    assert list(make().categories) == BUILTIN


def test_texts_have_no_default_in_the_model() -> None:
    with pytest.raises(ValidationError) as info:
        Policy()
    assert {tuple(e["loc"]) for e in info.value.errors()} == {("payment",), ("support",)}


# --- sourced defaults ------------------------------------------------------------------------------------


def test_default_periods() -> None:
    policy = make()
    for code in BUILTIN:
        assert policy.categories[code].periodic_exam_months == 12
        assert policy.categories[code].attestation_months == (12 if code == "food" else 24)
        assert policy.categories[code].enabled
        assert policy.categories[code].title_ru is None and policy.categories[code].title_en is None
    assert policy.book_validity_months(is_minor=False) == 60
    assert policy.book_validity_months(is_minor=True) == 36
    assert policy.reminders.validity_days_before == (60, 30, 7, 1, 0)
    assert (policy.reminders.appointment_day_before_hour, policy.reminders.appointment_hours_before) == (18, 2)
    assert policy.reminders.stuck_application_hours == 48
    assert (policy.reminders.quiet_hours.start, policy.reminders.quiet_hours.end) == (21, 9)
    assert policy.booking.horizon_days == 14


def test_default_exams() -> None:
    policy = make()
    general = {ExamCode.THERAPIST, ExamCode.PSYCHIATRIST, ExamCode.NARCOLOGIST, ExamCode.FLUOROGRAPHY, ExamCode.ECG}
    for code in BUILTIN:
        exams = policy.exams_for(code)
        assert len(set(exams)) == len(exams)
        assert general | {ExamCode.HYGIENE_ATTESTATION} <= set(exams)
    for code in ("food", "children", "water", "medical"):  # 29н пп. 23-25, 27: гельминтозы
        assert ExamCode.HELMINTHS in policy.exams_for(code)
    assert ExamCode.HELMINTHS not in policy.exams_for("communal")
    assert policy.categories["food"].exams_at_hiring == (ExamCode.INTESTINAL_INFECTIONS, ExamCode.STAPH_SWAB)
    assert policy.categories["water"].exams_at_hiring == ()
    items = policy.exams.items
    assert set(items) == set(ExamCode)
    assert items[ExamCode.MAMMOGRAPHY].women_only and items[ExamCode.MAMMOGRAPHY].min_age == 40
    assert not any(item.required for code, item in items.items() if code.startswith("vaccination_"))
    assert not policy.exams.before_submit


def test_overriding_an_item_keeps_its_other_keys() -> None:
    policy = make({"exams": {"items": {"ecg": {"period_months": 24}}, "before_submit": True}})
    assert policy.exams.items[ExamCode.ECG].period_months == 24
    assert policy.exams.items[ExamCode.ECG].kind == "test"
    assert policy.exams.items[ExamCode.THERAPIST] == make().exams.items[ExamCode.THERAPIST]
    assert policy.exams.before_submit


def test_an_item_cannot_be_both_every_time_and_at_hiring() -> None:
    with pytest.raises(ValidationError, match="syphilis is also in exams"):
        make({"categories": {"food": {"exams_at_hiring": ["syphilis"]}}})


def test_default_documents_and_payment() -> None:
    policy = make()
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


# --- what an operator may change ---------------------------------------------------------------------------


def test_overriding_a_key_keeps_the_other_defaults() -> None:
    policy = make({"categories": {"food": {"periodic_exam_months": 6}}})
    assert policy.categories["food"].periodic_exam_months == 6
    assert policy.categories["food"].attestation_months == 12
    assert policy.exams_for("food") == make().exams_for("food")
    assert list(policy.categories) == BUILTIN


def test_disabling_hides_a_category_but_keeps_it_resolvable() -> None:
    policy = make({"categories": {"medical": {"enabled": False}}})
    assert policy.enabled_categories() == ["food", "children", "communal", "water", "other"]
    assert policy.exams_for("medical") == make().exams_for("medical")


def test_a_new_category() -> None:
    transport = {"exams": ["therapist", "fluorography"], "title_ru": "Транспорт", "title_en": "Transport"}
    policy = make({"categories": {"transport": transport}})
    assert policy.enabled_categories() == [*BUILTIN, "transport"]
    assert policy.exams_for("transport") == list(policy.exams.general)  # both are in the general block
    category = policy.category("transport")
    assert (category.periodic_exam_months, category.attestation_months) == (12, 24)
    assert (category.title_ru, category.title_en) == ("Транспорт", "Transport")


def test_unknown_category_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="unknown work category 'pilots'"):
        make().exams_for("pilots")


def test_price_and_payment() -> None:
    policy = make({"payment": {"price_rub": Decimal("1500.50"), "exemptions": []}})
    assert policy.requires_payment
    assert policy.payment.price_rub == Decimal("1500.50")
    assert policy.payment.price_minor_units == 150050
    assert policy.payment.exemptions == ()
    assert make({"payment": {"price_rub": 700}}).payment.price_minor_units == 70000


def test_exemption_proof() -> None:
    assert Exemption.STUDENT.needs_proof
    assert Exemption.PENSIONER.needs_proof
    assert not Exemption.CHILD_UNDER_14.needs_proof


def test_reminder_offsets_are_sorted_latest_first() -> None:
    policy = make({"reminders": {"validity_days_before": [0, 14, 90]}})
    assert policy.reminders.validity_days_before == (90, 14, 0)


def test_texts_are_trimmed() -> None:
    policy = make({"support": {"contact_en": "\n  Call +7 900 000-00-00\n"}})
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
    policy = make()
    with pytest.raises(ValidationError):
        policy.book = policy.book  # type: ignore[misc]


# --- the rules (how each problem reads in a file: tests/test_operator_files.py) ------------------------------


def test_python_construction_is_validated_too() -> None:
    with pytest.raises(ValidationError):
        make({"categories": {"food": {"periodic_exam_months": 0}}})
    replaced = make({"categories": {"food": Category(exams=(ExamCode.DENTIST,))}})
    assert replaced.exams_for("food") == [*replaced.exams.general, ExamCode.DENTIST]
    assert replaced.categories["food"].attestation_months == 24  # a Category object replaces the whole entry


def test_several_rule_problems_are_one_error_with_each_problem() -> None:
    with pytest.raises(ValidationError) as info:
        make(
            {
                "categories": {c: {"enabled": False} for c in BUILTIN}
                | {"transport": {"exams": ["therapist"], "enabled": False}}
            }
        )
    [error] = info.value.errors()
    assert error["type"] == "several_problems"
    assert error["ctx"]["problems"] == (
        ("transport.title_ru", "is required for a category that is not built in"),
        ("transport.title_en", "is required for a category that is not built in"),
        ("", "at least one category must have enabled = true"),
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"categories": {"food": {"exams": ["dentist", "dentist"]}}}, "duplicate"),
        ({"categories": {"food": {"exams": []}}}, "exams_empty"),
        ({"payment": {"price_rub": Decimal("10.555")}}, "too_precise"),
        ({"payment": {"covers_en": "Pay the state duty"}}, "state_duty"),
        ({"documents": {"optional": ["oms_policy"]}}, "several_problems"),
        ({"reminders": {"quiet_hours": {"start": 24}}}, "out_of_range"),
        ({"booking": {"horizon_days": 0}}, "out_of_range"),
        ({"booking": {"horizon_days": 91}}, "out_of_range"),
    ],
)
def test_each_rule_rejects(data: dict[str, Any], kind: str) -> None:
    with pytest.raises(ValidationError) as info:
        make(data)
    assert [e["type"] for e in info.value.errors()] == [kind]
