"""What each application step accepts and where it puts it: pure rules over `Draft`.

The order of the steps (and their states and prompts) is the step table in `fsm/steps.py`; this module
knows, for each step key, how to check an answer, whether the step applies to this applicant (a child
under 14 has a birth certificate instead of a passport; a foreign citizen gives a foreign passport, and
СНИЛС and a policy only where they have them) and whether it is already filled in.

Every text answer is cleaned first (:func:`domain.text.clean_text`): no zero-width or direction-control
characters ever reach the draft, the summary or the signed data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from domain import identifiers as ids
from domain import person
from domain.applicant import Citizenship, Draft, PolicyKind, Relation, Sex
from domain.issues import Checked, Issue, error
from domain.policy import DOCUMENT_CATALOGUE
from domain.text import clean_text

StepKind = Literal["text", "contact", "choice", "photo", "upload", "payment"]


@dataclass(frozen=True)
class Context:
    today: date
    categories: tuple[str, ...] = ()
    # Document kinds from the operator's policy: required for an adult / for a child under 14, optional.
    documents_adult: tuple[str, ...] = ("passport_main", "passport_registration", "oms_policy")
    documents_child: tuple[str, ...] = ("birth_certificate", "oms_policy")
    documents_optional: tuple[str, ...] = ("others",)
    payment_required: bool = False  # the operator's policy sets a price


@dataclass(frozen=True)
class Outcome:
    draft: Draft | None  # the updated draft, None when the answer was rejected
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        return self.draft is not None


Getter = Callable[[Draft], Any]
Setter = Callable[[Draft, Any], Draft]


def _always(_d: Draft, _c: Context) -> bool:
    return True


# The countries most foreign workers come from, offered as buttons (ISO 3166 codes); "other" is typed.
FOREIGN_COUNTRIES: tuple[str, ...] = ("uz", "tj", "kg", "kz", "by", "am", "az", "ua", "md")
OTHER_COUNTRY = "other"


def _foreign(d: Draft, _c: Context | None = None) -> bool:
    return d.is_foreign


def _child(d: Draft, c: Context) -> bool:
    return d.birth_date is not None and person.needs_birth_certificate(d.birth_date, c.today)


def _adult_document(d: Draft, c: Context) -> bool:
    """The Russian passport: a Russian citizen (or one who has not said yet) aged 14 or more."""
    return not d.is_foreign and not _child(d, c)


def _child_document(d: Draft, c: Context) -> bool:
    """The Russian birth certificate: a Russian citizen under 14."""
    return not d.is_foreign and _child(d, c)


def _foreign_country_typed(d: Draft, _c: Context) -> bool:
    return d.is_foreign and d.foreign_passport.country == OTHER_COUNTRY


def _oms_asked(d: Draft, _c: Context) -> bool:
    """A Russian citizen always gives an ОМС policy; a foreign citizen only after choosing ОМС."""
    return not d.is_foreign or d.policy_kind is PolicyKind.OMS


def _dms_asked(d: Draft, _c: Context) -> bool:
    return d.is_foreign and d.policy_kind is PolicyKind.DMS


def _may_work(d: Draft, c: Context) -> bool:
    """A child under 14 does not work (labour law lets a 14-year-old take light work): no employer section."""
    return not _child(d, c)


def _employer(d: Draft, c: Context) -> bool:
    return _may_work(d, c) and not d.employer_skipped


@dataclass(frozen=True)
class Rule:
    key: str
    section: str
    kind: StepKind
    get: Getter
    set: Setter
    check: Callable[[str, Draft, Context], Checked[Any]] | None = None
    optional: bool = False
    skip: Setter | None = None  # what «Пропустить» records
    applies: Callable[[Draft, Context], bool] = _always
    choices: Callable[[Context], tuple[str, ...]] = field(default=lambda _c: ())
    optional_when: Callable[[Draft, Context], bool] | None = None  # optional only for some applicants

    def filled(self, d: Draft) -> bool:
        return self.get(d) is not None

    def is_optional(self, d: Draft, c: Context) -> bool:
        return self.optional_when(d, c) if self.optional_when is not None else self.optional


def _upd(d: Draft, **values: Any) -> Draft:
    return d.model_copy(update=values)


def _upd_part(d: Draft, part: str, **values: Any) -> Draft:
    return _upd(d, **{part: getattr(d, part).model_copy(update=values)})


def _birth_date(raw: str, d: Draft, c: Context) -> Checked[date]:
    checked = person.check_birth_date(raw, c.today)
    if checked.ok and checked.value is not None and d.relation is Relation.CHILD:
        if not person.is_minor(checked.value, c.today):
            return Checked.bad(error("birth-date-child-adult"))
    return checked


def _passport_number(raw: str, _d: Draft, _c: Context) -> Checked[Any]:
    return ids.check_passport_number(raw)


def _needs_birth(d: Draft) -> date:
    # The birth date is asked before the document, so it is always there when these steps run.
    assert d.birth_date is not None
    return d.birth_date


def _employer_start(raw: str, d: Draft, c: Context) -> Checked[date]:
    checked = person.parse_date(raw)
    if checked.ok and checked.value is not None and d.birth_date and checked.value <= d.birth_date:
        return Checked.bad(error("employer-start-before-birth"))
    return checked


def _free_text(code: str, limit: int = 200) -> Callable[[str, Draft, Context], Checked[str]]:
    def check(raw: str, _d: Draft, _c: Context) -> Checked[str]:
        text = clean_text(raw)
        if not 2 <= len(text) <= limit:
            return Checked.bad(error(code, limit=limit))
        return Checked.good(text)

    return check


RULES: dict[str, Rule] = {
    r.key: r
    for r in [
        Rule("phone", "contacts", "contact", lambda d: d.phone, lambda d, v: _upd(d, phone=v)),
        Rule(
            "email", "contacts", "text", lambda d: d.email if not d.email_skipped else "",
            lambda d, v: _upd(d, email=v, email_skipped=False),
            check=lambda raw, _d, _c: person.check_email(raw), optional=True,
            skip=lambda d, _v: _upd(d, email=None, email_skipped=True),
        ),
        Rule("surname", "person", "text", lambda d: d.surname, lambda d, v: _upd(d, surname=v),
             check=lambda raw, _d, _c: person.check_name_part(raw, "surname")),
        Rule("name", "person", "text", lambda d: d.name, lambda d, v: _upd(d, name=v),
             check=lambda raw, _d, _c: person.check_name_part(raw, "name")),
        Rule(
            "patronymic", "person", "text", lambda d: d.patronymic if not d.patronymic_skipped else "",
            lambda d, v: _upd(d, patronymic=v, patronymic_skipped=False),
            check=lambda raw, _d, _c: person.check_name_part(raw, "patronymic"), optional=True,
            skip=lambda d, _v: _upd(d, patronymic=None, patronymic_skipped=True),
        ),
        Rule("birth_date", "person", "text", lambda d: d.birth_date, lambda d, v: _upd(d, birth_date=v),
             check=_birth_date),
        Rule("sex", "person", "choice", lambda d: d.sex, lambda d, v: _upd(d, sex=Sex(v)),
             choices=lambda _c: tuple(s.value for s in Sex)),
        Rule("citizenship", "person", "choice", lambda d: d.citizenship,
             lambda d, v: _upd(d, citizenship=Citizenship(v)),
             choices=lambda _c: tuple(c.value for c in Citizenship)),
        Rule("address", "person", "text", lambda d: d.address,
             lambda d, v: _upd(d, address=v.text, postal_index=v.postal_index),
             check=lambda raw, _d, _c: person.check_address(raw)),
        Rule("category", "person", "choice", lambda d: d.category, lambda d, v: _upd(d, category=v),
             choices=lambda c: c.categories),
        Rule("passport_number", "document", "text", lambda d: d.passport.number,
             lambda d, v: _upd_part(d, "passport", series=v.series, number=v.number),
             check=_passport_number, applies=_adult_document),
        Rule("passport_issue_date", "document", "text", lambda d: d.passport.issue_date,
             lambda d, v: _upd_part(d, "passport", issue_date=v),
             check=lambda raw, d, c: ids.check_passport_issue_date(raw, _needs_birth(d), c.today),
             applies=_adult_document),
        Rule("passport_division_code", "document", "text", lambda d: d.passport.division_code,
             lambda d, v: _upd_part(d, "passport", division_code=v),
             check=lambda raw, _d, _c: ids.check_division_code(raw), applies=_adult_document),
        Rule("passport_issued_by", "document", "text", lambda d: d.passport.issued_by,
             lambda d, v: _upd_part(d, "passport", issued_by=v),
             check=lambda raw, _d, _c: ids.check_issued_by(raw), applies=_adult_document),
        Rule("birth_certificate_number", "document", "text", lambda d: d.birth_certificate.number,
             lambda d, v: _upd_part(d, "birth_certificate", series=v.series, number=v.number),
             check=lambda raw, _d, _c: ids.check_birth_certificate(raw), applies=_child_document),
        Rule("birth_certificate_issue_date", "document", "text", lambda d: d.birth_certificate.issue_date,
             lambda d, v: _upd_part(d, "birth_certificate", issue_date=v),
             check=lambda raw, d, c: ids.check_birth_certificate_issue_date(raw, _needs_birth(d), c.today),
             applies=_child_document),
        Rule("foreign_passport_country", "document", "choice", lambda d: d.foreign_passport.country,
             lambda d, v: _upd_part(d, "foreign_passport", country=v,
                                    country_name=d.foreign_passport.country_name if v == OTHER_COUNTRY else None),
             applies=_foreign, choices=lambda _c: (*FOREIGN_COUNTRIES, OTHER_COUNTRY)),
        Rule("foreign_passport_country_name", "document", "text", lambda d: d.foreign_passport.country_name,
             lambda d, v: _upd_part(d, "foreign_passport", country_name=v),
             check=_free_text("foreign-country-length", 60), applies=_foreign_country_typed),
        Rule("foreign_passport_number", "document", "text", lambda d: d.foreign_passport.number,
             lambda d, v: _upd_part(d, "foreign_passport", number=v),
             check=lambda raw, _d, _c: ids.check_foreign_passport_number(raw), applies=_foreign),
        Rule("foreign_passport_issue_date", "document", "text", lambda d: d.foreign_passport.issue_date,
             lambda d, v: _upd_part(d, "foreign_passport", issue_date=v),
             check=lambda raw, d, c: ids.check_foreign_passport_issue_date(raw, _needs_birth(d), c.today),
             applies=_foreign),
        Rule(
            "foreign_passport_expiry_date", "document", "text",
            lambda d: d.foreign_passport.expiry_date if not d.foreign_passport.expiry_skipped else "",
            lambda d, v: _upd_part(d, "foreign_passport", expiry_date=v, expiry_skipped=False),
            check=lambda raw, d, c: ids.check_foreign_passport_expiry_date(raw, d.foreign_passport.issue_date,
                                                                           c.today),
            optional=True, applies=_foreign,
            skip=lambda d, _v: _upd_part(d, "foreign_passport", expiry_date=None, expiry_skipped=True),
        ),
        Rule(
            "snils", "snils", "text",
            lambda d: d.snils if d.snils is not None or not (d.snils_skipped and d.is_foreign) else "",
            lambda d, v: _upd(d, snils=v, snils_skipped=False),
            check=lambda raw, _d, _c: ids.check_snils(raw), optional_when=_foreign,
            skip=lambda d, _v: _upd(d, snils=None, snils_skipped=True),
        ),
        Rule(
            "policy_kind", "oms", "choice",
            lambda d: d.policy_kind if d.policy_kind is not None or not d.policy_skipped else "",
            lambda d, v: _upd(d, policy_kind=PolicyKind(v), policy_skipped=False),
            applies=_foreign, optional=True, choices=lambda _c: tuple(k.value for k in PolicyKind),
            skip=lambda d, _v: _upd(d, policy_kind=None, policy_skipped=True),
        ),
        Rule("oms", "oms", "text", lambda d: d.oms_number,
             lambda d, v: _upd(d, oms_kind=v.kind, oms_number=v.number),
             check=lambda raw, _d, _c: ids.check_oms(raw), applies=_oms_asked),
        Rule("dms_number", "oms", "text", lambda d: d.dms.number, lambda d, v: _upd_part(d, "dms", number=v),
             check=lambda raw, _d, _c: ids.check_dms_number(raw), applies=_dms_asked),
        Rule("dms_insurer", "oms", "text", lambda d: d.dms.insurer, lambda d, v: _upd_part(d, "dms", insurer=v),
             check=_free_text("dms-insurer-length", 120), applies=_dms_asked),
        Rule(
            "employer_name", "employer", "text",
            lambda d: d.employer.name if not d.employer_skipped else "",
            lambda d, v: _upd_part(_upd(d, employer_skipped=False), "employer", name=v),
            check=_free_text("employer-name-length"), optional=True, applies=_may_work,
            skip=lambda d, _v: _upd(d, employer_skipped=True),
        ),
        Rule("employer_inn", "employer", "text", lambda d: d.employer.inn,
             lambda d, v: _upd_part(d, "employer", inn=v),
             check=lambda raw, _d, _c: ids.check_inn(raw), applies=_employer),
        Rule("employer_ogrn", "employer", "text", lambda d: d.employer.ogrn,
             lambda d, v: _upd_part(d, "employer", ogrn=v),
             check=lambda raw, _d, _c: ids.check_ogrn(raw), applies=_employer),
        Rule(
            "employer_okpo", "employer", "text",
            lambda d: d.employer.okpo if not d.employer.okpo_skipped else "",
            lambda d, v: _upd_part(d, "employer", okpo=v, okpo_skipped=False),
            check=lambda raw, _d, _c: ids.check_okpo(raw), optional=True, applies=_employer,
            skip=lambda d, _v: _upd_part(d, "employer", okpo=None, okpo_skipped=True),
        ),
        Rule("employer_position", "employer", "text", lambda d: d.employer.position,
             lambda d, v: _upd_part(d, "employer", position=v),
             check=_free_text("employer-position-length", 120), applies=_employer),
        Rule("employer_start_date", "employer", "text", lambda d: d.employer.start_date,
             lambda d, v: _upd_part(d, "employer", start_date=v),
             check=_employer_start, applies=_employer),
    ]
}


def required_documents(d: Draft, c: Context) -> tuple[str, ...]:
    """The scans this applicant must upload. A foreign citizen: the main page of the foreign passport (no
    registration page, no migration card or patent) and the policy's scan when they gave a policy."""
    if d.is_foreign:
        policy = ("oms_policy",) if d.policy_kind is not None and "oms_policy" in c.documents_adult else ()
        return ("passport_main", *policy)
    return c.documents_child if _child(d, c) else c.documents_adult


def _document_rule(kind: str) -> Rule:
    def applies(d: Draft, c: Context) -> bool:
        return kind in required_documents(d, c) or kind in c.documents_optional

    def optional_here(d: Draft, c: Context) -> bool:
        return kind in c.documents_optional and kind not in required_documents(d, c)

    def get(d: Draft) -> Any:
        if kind in d.confirmed_documents:
            return True
        return "" if kind in d.skipped_documents else None

    return Rule(
        f"doc_{kind}", "files", "upload", get,
        lambda d, _v: _upd(d, confirmed_documents=sorted({*d.confirmed_documents, kind}),
                           skipped_documents=[k for k in d.skipped_documents if k != kind]),
        applies=applies,
        skip=lambda d, _v: _upd(d, skipped_documents=sorted({*d.skipped_documents, kind}),
                                confirmed_documents=[k for k in d.confirmed_documents if k != kind]),
        optional_when=optional_here,
    )


RULES["photo"] = Rule("photo", "files", "photo", lambda d: d.photo_upload_id,
                      lambda d, v: _upd(d, photo_upload_id=v))


def _payment_get(d: Draft) -> Any:
    # "settled" needs the policy (which exemptions need proof); the payment use case records only settled states:
    # a receipt, or an exemption together with its proof when one is needed.
    return True if (d.payment_receipt_id is not None or d.payment_exemption is not None) else None


RULES["payment"] = Rule(
    "payment", "payment", "payment", _payment_get, lambda d, v: _upd(d, **v),
    applies=lambda _d, c: c.payment_required,
)
for _kind in DOCUMENT_CATALOGUE:  # the policy model's catalogue of document kinds
    RULES[f"doc_{_kind.value}"] = _document_rule(_kind.value)

SECTIONS: tuple[str, ...] = ("contacts", "person", "document", "snils", "oms", "employer", "files", "payment")


def section_label(section: str, d: Draft, c: Context) -> str:
    """Which name a section goes by for this applicant (the suffix of its label key): the identity document
    section is «Паспорт», «Свидетельство о рождении» or the foreign passport; a foreign citizen's policy
    section covers ОМС and ДМС."""
    if section == "document":
        if d.is_foreign:
            return "document-foreign"
        return "document-child" if _child(d, c) else "document"
    if section == "oms" and d.is_foreign:
        return "oms-foreign"
    return section


def step_facts(d: Draft, c: Context) -> tuple[object, ...]:
    """What decides, under one context, which steps apply to this applicant, which are optional by who the
    applicant is (`Rule.optional_when`), and what their sections are called (`section_label`): the facts the
    `applies`, `optional_when` and `section_label` functions above read from the draft. Two drafts with the same
    facts have the same steps, so fsm/steps.py plans them once per facts and context. A rule that starts reading
    another field of the draft adds it here (tests/test_wizard_plan.py compares the plan with every rule
    evaluated afresh)."""
    return (d.citizenship, _child(d, c), d.foreign_passport.country == OTHER_COUNTRY, d.policy_kind,
            d.employer_skipped)


def answer_text(key: str, raw: str, draft: Draft, ctx: Context) -> Outcome:
    rule = RULES[key]
    assert rule.check is not None, f"step {key} takes no text"
    checked = rule.check(clean_text(raw), draft, ctx)
    if not checked.ok:
        return Outcome(None, checked.issues)
    return Outcome(rule.set(draft, checked.value), checked.issues)


def answer_choice(key: str, value: str, draft: Draft, ctx: Context) -> Outcome:
    rule = RULES[key]
    if value not in rule.choices(ctx):
        return Outcome(None, (error("choice-unknown"),))
    return Outcome(rule.set(draft, value))


def answer_contact(phone_number: str, contact_user_id: int | None, sender_id: int, draft: Draft) -> Outcome:
    """Only the person's own contact is accepted (Telegram fills contact.user_id for it)."""
    if contact_user_id != sender_id:
        return Outcome(None, (error("phone-not-own"),))
    checked = person.check_phone(phone_number)
    if not checked.ok:
        return Outcome(None, checked.issues)
    return Outcome(_upd(RULES["phone"].set(draft, checked.value), phone_confirmed=True), checked.issues)


def answer_typed_phone(raw: str, draft: Draft) -> Outcome:
    """A Russian mobile number typed by hand («+7 912 345-67-89», «8 (912) 345 67 89», «9123456789»), for
    people who cannot use the contact button. Accepted, but recorded as not confirmed by Telegram."""
    checked = person.check_phone(clean_text(raw))
    if not checked.ok:
        return Outcome(None, checked.issues)
    return Outcome(_upd(RULES["phone"].set(draft, checked.value), phone_confirmed=False), checked.issues)


def skip(key: str, draft: Draft, ctx: Context) -> Draft:
    rule = RULES[key]
    if not rule.is_optional(draft, ctx) or rule.skip is None:
        raise ValueError(f"step {key} cannot be skipped")
    return rule.skip(draft, None)


def applies(key: str, draft: Draft, ctx: Context) -> bool:
    return RULES[key].applies(draft, ctx)


def missing(order: list[str], draft: Draft, ctx: Context) -> list[str]:
    """Required steps that apply to this applicant and are still empty, in step order."""
    return [
        k for k in order
        if not RULES[k].is_optional(draft, ctx) and RULES[k].applies(draft, ctx) and not RULES[k].filled(draft)
    ]


def files_changed(key: str, draft: Draft) -> Draft:
    """The files of a document step changed: its legibility confirmation no longer holds."""
    kind = key.removeprefix("doc_")
    if kind not in draft.confirmed_documents:
        return draft
    return _upd(draft, confirmed_documents=[k for k in draft.confirmed_documents if k != kind])
