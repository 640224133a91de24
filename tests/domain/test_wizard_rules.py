"""The wizard's rules without Telegram: every text answer is cleaned, a typed phone is accepted but marked,
and a foreign citizen gets the steps that fit a foreign passport."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import identifiers as ids
from domain import wizard
from domain.applicant import Citizenship, Draft, ForeignPassport, PolicyKind, Relation, Sex
from domain.issues import Checked
from fsm import steps

FAST = settings(max_examples=100, deadline=None, database=None)
TODAY = date(2026, 1, 15)
CTX = wizard.Context(today=TODAY, categories=("food",))
BASE = Draft(birth_date=date(1990, 2, 1), citizenship=Citizenship.RU)
FOREIGN = Draft(birth_date=date(1990, 2, 1), citizenship=Citizenship.OTHER)

# A good answer for every text step, and the draft it is given in.
TEXT_ANSWERS: dict[str, tuple[Draft, str]] = {
    "email": (BASE, "anna@example.com"),
    "surname": (BASE, "Иванова-Петрова"),
    "name": (BASE, "Анна"),
    "patronymic": (BASE, "Сергеевна"),
    "birth_date": (BASE, "01.02.1990"),
    "address": (BASE, "123456, г. Москва, ул. Ленина, д. 1, кв. 2"),
    "passport_number": (BASE, "45 08 123456"),
    "passport_issue_date": (BASE, "15.03.2010"),
    "passport_division_code": (BASE, "770-001"),
    "passport_issued_by": (BASE, "ОВД района Арбат г. Москвы"),
    "birth_certificate_number": (BASE, "IV-МЮ 123456"),
    "birth_certificate_issue_date": (BASE, "20.05.1990"),
    "foreign_passport_country_name": (FOREIGN, "Вьетнам"),
    "foreign_passport_number": (FOREIGN, "AA 1234567"),
    "foreign_passport_issue_date": (FOREIGN, "15.03.2020"),
    "foreign_passport_expiry_date": (FOREIGN, "14.03.2030"),
    "snils": (BASE, "112-233-445 95"),
    "oms": (BASE, "7700 0000 0000 0016"),
    "dms_number": (FOREIGN, "001-23/456789"),
    "dms_insurer": (FOREIGN, "АО «СОГАЗ»"),
    "employer_name": (BASE, "ООО «Ромашка»"),
    "employer_inn": (BASE, "7707083893"),
    "employer_ogrn": (BASE, "1027700132195"),
    "employer_okpo": (BASE, "00032537"),
    "employer_position": (BASE, "повар"),
    "employer_start_date": (BASE, "01.12.2025"),
}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u2060", "\x07"]


def test_every_text_step_has_a_sample_answer() -> None:
    assert set(TEXT_ANSWERS) == {k for k, r in wizard.RULES.items() if r.kind == "text"}


def _no_invisible(draft: Draft) -> None:
    for ch in draft.model_dump_json():
        assert unicodedata.category(ch) not in {"Cf", "Cc"}, hex(ord(ch))


@FAST
@given(st.sampled_from(sorted(TEXT_ANSWERS)), st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=4),
       st.data())
def test_every_text_answer_is_cleaned_before_its_rule(key: str, marks: list[str], data: st.DataObject) -> None:
    draft, answer = TEXT_ANSWERS[key]
    clean = wizard.answer_text(key, answer, draft, CTX)
    assert clean.ok, (key, clean.issues)
    chars = list(answer)
    for mark in marks:
        chars.insert(data.draw(st.integers(0, len(chars)), label="at"), mark)
    dirty = wizard.answer_text(key, "".join(chars), draft, CTX)
    assert dirty.draft == clean.draft and dirty.issues == clean.issues, key
    assert dirty.draft is not None
    _no_invisible(dirty.draft)


# --- the phone: the contact button, or typed by hand -------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["+7 912 345-67-89", "8 912 345 67 89", "8 (912) 345-67-89", "+7(912)3456789", "9123456789", "89123456789",
     "79123456789", "+7-912-345-67-89", " +7 912 345 67 89 ", "\u200e+7 912 345-67-89\u200f"],
)
def test_a_typed_russian_mobile_is_accepted_but_not_confirmed(raw: str) -> None:
    outcome = wizard.answer_typed_phone(raw, BASE)
    assert outcome.draft is not None, outcome.issues
    assert outcome.draft.phone == "+79123456789"
    assert outcome.draft.phone_confirmed is False and outcome.draft.phone_typed
    assert wizard.RULES["phone"].filled(outcome.draft)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("+7 495 123-45-67", "phone-not-mobile"), ("+44 20 7946 0958", "phone-not-russian"),
     ("912 345", "phone-invalid"), ("позвоните мне", "phone-invalid"), ("", "phone-invalid")],
)
def test_a_typed_number_that_is_not_a_russian_mobile_is_refused(raw: str, code: str) -> None:
    outcome = wizard.answer_typed_phone(raw, BASE)
    assert not outcome.ok and [i.code for i in outcome.issues] == [code]


def test_the_contact_button_confirms_a_typed_number() -> None:
    typed = wizard.answer_typed_phone("8 912 345-67-89", BASE).draft
    assert typed is not None
    shared = wizard.answer_contact("79123456789", 42, 42, typed).draft
    assert shared is not None and shared.phone_confirmed is True and not shared.phone_typed
    assert not wizard.answer_contact("79123456789", 7, 42, typed).ok  # still only one's own contact
    assert not Draft().phone_typed  # no phone yet: nothing to mark
    assert not Draft(phone="+79123456789").phone_typed  # a draft from before typing was allowed


# --- a foreign citizen -------------------------------------------------------------------------------------

RUSSIAN_ADULT = [
    "phone", "email", "surname", "name", "patronymic", "birth_date", "sex", "citizenship", "address", "category",
    "passport_number", "passport_issue_date", "passport_division_code", "passport_issued_by", "snils", "oms",
    "photo", "employer_name", "employer_inn", "employer_ogrn", "employer_okpo", "employer_position",
    "employer_start_date", "doc_passport_main", "doc_passport_registration", "doc_oms_policy", "doc_others",
]


def keys(draft: Draft) -> list[str]:
    return [s.key for s in steps.applicable(draft, CTX)]


def test_a_russian_citizen_keeps_exactly_the_old_steps() -> None:
    assert keys(BASE) == RUSSIAN_ADULT
    assert keys(Draft()) == RUSSIAN_ADULT  # before the citizenship is chosen
    child = BASE.model_copy(update={"birth_date": date(2016, 5, 10), "relation": Relation.CHILD})
    assert [k for k in keys(child) if "passport" in k or "birth" in k] == [
        "birth_date", "birth_certificate_number", "birth_certificate_issue_date", "doc_birth_certificate"]


def test_a_foreign_citizen_gets_the_foreign_passport_instead_of_the_russian_one() -> None:
    found = keys(FOREIGN)
    assert found[:10] == RUSSIAN_ADULT[:10]
    assert found[10:16] == ["foreign_passport_country", "foreign_passport_number", "foreign_passport_issue_date",
                            "foreign_passport_expiry_date", "snils", "policy_kind"]
    assert not [k for k in found if k.startswith(("passport_", "birth_certificate"))]
    assert "oms" not in found and "dms_number" not in found  # no policy chosen yet
    assert "doc_passport_main" in found and "doc_passport_registration" not in found
    assert "doc_oms_policy" not in found  # no policy, no scan of it
    # «Другая страна» adds the typed name
    other = wizard.answer_choice("foreign_passport_country", "other", FOREIGN, CTX).draft
    assert other is not None
    assert keys(other)[10:12] == ["foreign_passport_country", "foreign_passport_country_name"]


def test_the_policy_kind_decides_which_policy_steps_follow() -> None:
    oms = wizard.answer_choice("policy_kind", "oms", FOREIGN, CTX).draft
    dms = wizard.answer_choice("policy_kind", "dms", FOREIGN, CTX).draft
    assert oms is not None and dms is not None
    assert oms.policy_kind is PolicyKind.OMS and dms.policy_kind is PolicyKind.DMS
    assert "oms" in keys(oms) and "dms_number" not in keys(oms) and "doc_oms_policy" in keys(oms)
    assert [k for k in keys(dms) if k.startswith("dms")] == ["dms_number", "dms_insurer"]
    assert "oms" not in keys(dms) and "doc_oms_policy" in keys(dms)
    assert not wizard.answer_choice("policy_kind", "cash", FOREIGN, CTX).ok
    # a ДМС answer is stored with its insurer
    done = wizard.answer_text("dms_number", "полис ДМС № 001-23/456789", dms, CTX).draft
    assert done is not None
    done = wizard.answer_text("dms_insurer", "  АО   «СОГАЗ» ", done, CTX).draft
    assert done is not None and done.dms.number == "001-23/456789" and done.dms.insurer == "АО «СОГАЗ»"


def test_what_a_foreign_citizen_may_skip() -> None:
    optional = {s.key for s in steps.applicable(FOREIGN, CTX) if s.rule.is_optional(FOREIGN, CTX)}
    assert {"snils", "policy_kind", "foreign_passport_expiry_date"} <= optional
    assert not {"foreign_passport_country", "foreign_passport_number", "foreign_passport_issue_date"} & optional
    assert not wizard.RULES["snils"].is_optional(BASE, CTX)  # a Russian citizen must give СНИЛС
    with pytest.raises(ValueError):
        wizard.skip("snils", BASE, CTX)
    skipped = wizard.skip("policy_kind", wizard.skip("snils", FOREIGN, CTX), CTX)
    assert skipped.snils_skipped and skipped.policy_skipped
    assert wizard.RULES["snils"].filled(skipped) and wizard.RULES["policy_kind"].filled(skipped)
    assert "doc_oms_policy" not in keys(skipped)
    # Becoming a Russian citizen again: the skipped СНИЛС is missing again, the policy must be ОМС.
    russian = wizard.answer_choice("citizenship", "ru", skipped, CTX).draft
    assert russian is not None
    assert [s.key for s in steps.missing(russian, CTX)][:3] == ["phone", "surname", "name"]
    assert {"snils", "oms", "passport_number"} <= {s.key for s in steps.missing(russian, CTX)}


def test_the_summary_lists_what_a_foreign_citizen_still_has_to_give() -> None:
    draft = FOREIGN.model_copy(update={
        "phone": "+79123456789", "surname": "Каримов", "name": "Алишер", "patronymic_skipped": True,
        "sex": Sex.MALE, "address": "123456, г. Москва, ул. Ленина, д. 1", "postal_index": "123456",
        "category": "food", "employer_skipped": True, "email_skipped": True,
        "foreign_passport": ForeignPassport(country="uz", number="AA 1234567"),
    })
    missing = [s.key for s in steps.missing(draft, CTX)]
    # СНИЛС, the policy and the expiry date are optional for a foreign citizen: never listed as missing
    assert missing == ["foreign_passport_issue_date", "photo", "doc_passport_main"]
    done = wizard.skip("policy_kind", wizard.skip("snils", draft, CTX), CTX)
    done = wizard.answer_text("foreign_passport_issue_date", "15.03.2020", done, CTX).draft
    assert done is not None
    assert [s.key for s in steps.missing(done, CTX)] == ["photo", "doc_passport_main"]


def test_choosing_a_listed_country_forgets_a_typed_one() -> None:
    typed = wizard.answer_text(
        "foreign_passport_country_name", "Вьетнам",
        wizard.answer_choice("foreign_passport_country", "other", FOREIGN, CTX).draft or FOREIGN, CTX,
    ).draft
    assert typed is not None and typed.foreign_passport.country_name == "Вьетнам"
    listed = wizard.answer_choice("foreign_passport_country", "tj", typed, CTX).draft
    assert listed is not None and listed.foreign_passport.country == "tj"
    assert listed.foreign_passport.country_name is None
    assert set(wizard.RULES["foreign_passport_country"].choices(CTX)) == {
        "uz", "tj", "kg", "kz", "by", "am", "az", "ua", "md", "other"}


# --- the foreign passport's rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("AA1234567", "AA1234567"),
        ("aa 1234567", "AA 1234567"),
        ("АА 1234567", "AA 1234567"),  # typed with the Russian layout: Cyrillic look-alikes
        ("N12345678", "N12345678"),
        ("400123456", "400123456"),
        ("AC-1234567", "AC 1234567"),
        ("№ FA123456", "FA123456"),
        ("паспорт: MP  1234567", "MP 1234567"),
        ("Passport No. C01234567", "C01234567"),
        ("ID\u200b1234567", "ID1234567"),
    ],
)
def test_foreign_passport_number_forms(raw: str, value: str) -> None:
    result = ids.check_foreign_passport_number(raw)
    assert result.value == value and not result.issues, result


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("AA 12Ж4567", "foreign-passport-chars"),  # a Cyrillic letter with no Latin twin
        ("AA/1234567", "foreign-passport-chars"),
        ("A123", "foreign-passport-length"),
        ("A1234567890123456", "foreign-passport-length"),
        ("ABCDEFG", "foreign-passport-digits"),
        ("", "foreign-passport-length"),
    ],
)
def test_foreign_passport_number_errors(raw: str, code: str) -> None:
    result = ids.check_foreign_passport_number(raw)
    assert [i.code for i in result.errors] == [code]


@FAST
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=5, max_size=15).filter(
    lambda t: any(c.isdigit() for c in t)))
def test_every_latin_number_of_5_to_15_is_kept_as_printed(number: str) -> None:
    assert ids.check_foreign_passport_number(number).value == number
    assert ids.check_foreign_passport_number(number.lower()).value == number
    assert ids.check_foreign_passport_number(f" {number[:2]} {number[2:]} ").value == f"{number[:2]} {number[2:]}"


def _codes(checked: Checked[Any]) -> tuple[list[str], list[str]]:
    return [i.code for i in checked.errors], [i.code for i in checked.warnings]


def test_foreign_passport_dates() -> None:
    birth = date(2010, 6, 1)
    assert _codes(ids.check_foreign_passport_issue_date("15.03.2020", birth, TODAY)) == ([], [])
    # a child's passport, issued before 14: fine for a foreign passport
    assert ids.check_foreign_passport_issue_date("10.07.2012", birth, TODAY).ok
    assert _codes(ids.check_foreign_passport_issue_date("16.01.2026", birth, TODAY)) == (
        ["foreign-passport-issue-future"], [])
    assert _codes(ids.check_foreign_passport_issue_date("01.01.2009", birth, TODAY)) == (
        ["foreign-passport-issue-before-birth"], [])
    assert _codes(ids.check_foreign_passport_issue_date("32.01.2020", birth, TODAY)) == (["date-invalid"], [])
    issued = date(2020, 3, 15)
    assert _codes(ids.check_foreign_passport_expiry_date("14.03.2030", issued, TODAY)) == ([], [])
    assert _codes(ids.check_foreign_passport_expiry_date("14.03.2025", issued, TODAY)) == (
        [], ["foreign-passport-expired"])
    assert ids.check_foreign_passport_expiry_date("14.03.2025", issued, TODAY).ok  # a warning never blocks
    assert _codes(ids.check_foreign_passport_expiry_date("15.03.2020", issued, TODAY)) == (
        ["foreign-passport-expiry-before-issue"], [])


def test_the_expiry_date_step_compares_with_the_issue_date_and_may_be_skipped() -> None:
    draft = FOREIGN.model_copy(update={"foreign_passport": ForeignPassport(issue_date=date(2020, 3, 15))})
    assert not wizard.answer_text("foreign_passport_expiry_date", "01.01.2019", draft, CTX).ok
    skipped = wizard.skip("foreign_passport_expiry_date", draft, CTX)
    assert skipped.foreign_passport.expiry_skipped and wizard.RULES["foreign_passport_expiry_date"].filled(skipped)
    again = wizard.answer_text("foreign_passport_expiry_date", "14.03.2030", skipped, CTX).draft
    assert again is not None and not again.foreign_passport.expiry_skipped
    assert again.foreign_passport.expiry_date == date(2030, 3, 14)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("001-23/456789", "001-23/456789"), ("полис ДМС № 12345", "12345"), ("ab 77.123", "AB 77.123"),
     ("ДМС-2024/0001", "ДМС-2024/0001")],
)
def test_dms_number_forms(raw: str, value: str) -> None:
    assert ids.check_dms_number(raw).value == value


@pytest.mark.parametrize("raw", ["12", "нет", "ABC-DEF", "1" * 41, "12#45", ""])
def test_dms_number_errors(raw: str) -> None:
    assert [i.code for i in ids.check_dms_number(raw).errors] == ["dms-number-format"]


@pytest.mark.parametrize(("typed", "kept"), [
    ("000NO", "000NO"),                     # letters touching digits are part of the number, not a label
    (" NO 1234567 ", "NO 1234567"),         # two letters may be the series
    ("Passport No. AA 1234567", "AA 1234567"),
    ("No: 400123456", "400123456"),
    ("номер AA1234567", "AA1234567"),
])
def test_foreign_passport_labels_never_eat_the_number(typed: str, kept: str) -> None:
    assert ids.check_foreign_passport_number(typed).value == kept
