"""The operator's policy: work categories, exams and periods, book validity, documents, payment, reminders.

The model and its rules, no I/O: the operator edits a TOML file (``config/policy.example.toml`` is the
commented template), which ``bot/operator_files.py`` reads at start-up and validates with this model; it names
every problem by file, key path and problem.

Defaults carry their sources (PRODUCT.md, "Policy" and "Information the bot gives"):

* periodic exam every 12 months — Приказ Минздрава России от 28.01.2021 № 29н ("usually once a year");
* hygiene training and attestation every 12 months for work with food and with children, every 24 months for
  the rest — Приказ Минздрава России от 29.06.2000 № 229;
* book validity 60 months for adults, 36 for minors — the operator's service definition (PRODUCT.md);
* appointments bookable two weeks ahead (PRODUCT.md, "Clinic and appointment": the issue's default);
* reminders 60/30/7/1/0 days before a validity ends, 24 and 2 hours before an appointment, 48 hours for a
  stuck application (PRODUCT.md, "Reminders" and "Status").

Built-in categories always exist (an operator hides one with ``enabled = false``, so applications already
in that category still resolve); a file entry for a built-in code overrides only the keys it sets. An operator
may add a category with a new code; it must then give ``exams``, ``title_ru`` and ``title_en``. Titles of
built-in categories, exam names, document names and exemption names live in the locale files, keyed by
these codes.

The payment and support texts are operator data, not interface texts, and no prose lives in .py files: the
model has no default for them, and the loader takes the ones the operator leaves out from the shipped example
file. Every other default is set here, and a test checks that the example file parses to exactly these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StrictBool, field_validator, model_validator
from pydantic_core import PydanticCustomError

from domain.operator_values import between, check_text, reject_problems, unique, unique_sorted_desc

__all__ = [
    "BUILTIN_CATEGORY_CODES",
    "PHOTO_KIND",
    "BookPolicy",
    "BookingPolicy",
    "Category",
    "DocumentKind",
    "DocumentPolicy",
    "ExamCode",
    "ExamItem",
    "ExamKind",
    "ExamPolicy",
    "ExamResult",
    "Exemption",
    "PaymentPolicy",
    "Policy",
    "QuietHours",
    "ReminderPolicy",
    "RetentionPolicy",
    "SupportPolicy",
]


class ExamCode(StrEnum):
    """The exam catalogue: every item a checklist may hold (a doctor, a test, the hygiene attestation, a
    vaccination). Which categories need which, when, how often and on what conditions is the policy's
    (``ExamItem``, ``ExamPolicy.general`` and ``Category``); each code has a name ``exam-<code>`` in the
    locales. A new kind of item goes here (like a new document kind); everything else about it is data."""

    # the general block of Приказ № 29н (пп. 12, 31): every category
    THERAPIST = "therapist"
    PSYCHIATRIST = "psychiatrist"
    NARCOLOGIST = "narcologist"
    NEUROLOGIST = "neurologist"
    BLOOD_TEST = "blood_test"
    URINE_TEST = "urine_test"
    ECG = "ecg"
    FLUOROGRAPHY = "fluorography"
    GLUCOSE = "glucose"
    CHOLESTEROL = "cholesterol"
    GYNECOLOGIST = "gynecologist"
    MAMMOGRAPHY = "mammography"
    EYE_PRESSURE = "eye_pressure"
    # the doctors and tests of пп. 23–27
    OTORHINOLARYNGOLOGIST = "otorhinolaryngologist"
    DERMATOVENEREOLOGIST = "dermatovenereologist"
    DENTIST = "dentist"
    SYPHILIS = "syphilis"
    GONORRHEA = "gonorrhea"
    INTESTINAL_INFECTIONS = "intestinal_infections"
    HELMINTHS = "helminths"
    STAPH_SWAB = "staph_swab"
    # hygiene training and attestation (Приказ № 229)
    HYGIENE_ATTESTATION = "hygiene_attestation"
    # vaccinations: recorded as entries, never claimed mandatory
    VACCINATION_DIPHTHERIA_TETANUS = "vaccination_diphtheria_tetanus"
    VACCINATION_MEASLES = "vaccination_measles"
    VACCINATION_HEPATITIS_B = "vaccination_hepatitis_b"
    VACCINATION_HEPATITIS_A = "vaccination_hepatitis_a"
    VACCINATION_DYSENTERY_SONNE = "vaccination_dysentery_sonne"


class ExamKind(StrEnum):
    DOCTOR = "doctor"
    TEST = "test"
    ATTESTATION = "attestation"
    VACCINATION = "vaccination"


class ExamResult(StrEnum):
    """What a person states besides the file, date and institution: nothing, a choice, or a number."""

    NONE = "none"
    FIT = "fit"  # «годен» / «не годен» (the commission's conclusion)
    ADMITTED = "admitted"  # «допущен» / «не допущен» (a specialist's conclusion)
    NEGATIVE = "negative"  # «отрицательно» / «положительно» (an infection test)
    CERTIFICATE = "certificate"  # the attestation certificate's number, typed

    @property
    def choices(self) -> tuple[str, ...]:
        """The values a person picks from (empty: nothing to pick; a certificate number is typed)."""
        return _RESULT_CHOICES.get(self, ())


_RESULT_CHOICES: Final[Mapping[ExamResult, tuple[str, ...]]] = {
    ExamResult.FIT: ("fit", "unfit"),
    ExamResult.ADMITTED: ("admitted", "not_admitted"),
    ExamResult.NEGATIVE: ("negative", "positive"),
}


class DocumentKind(StrEnum):
    """The catalogue of document kinds a citizen can upload: the one list (the wizard's document steps,
    what staff may ask for, upload rows' `kind`); each has a label `apply-field-doc-<kind>` in the locales."""

    PASSPORT_MAIN = "passport_main"
    PASSPORT_REGISTRATION = "passport_registration"
    OMS_POLICY = "oms_policy"
    BIRTH_CERTIFICATE = "birth_certificate"
    OTHERS = "others"


DOCUMENT_CATALOGUE: Final[tuple[DocumentKind, ...]] = (
    DocumentKind.PASSPORT_MAIN,
    DocumentKind.PASSPORT_REGISTRATION,
    DocumentKind.BIRTH_CERTIFICATE,
    DocumentKind.OMS_POLICY,
    DocumentKind.OTHERS,
)
"""Every document kind, in the order a citizen is asked for them (the wizard's document steps, the list
staff pick from). A new kind goes into `DocumentKind` and here."""


PHOTO_KIND: Final = "photo"
"""The upload kind of the 3×4 portrait: not a document, but staff may ask for it again like one."""


class Exemption(StrEnum):
    STUDENT = "student"
    PENSIONER = "pensioner"
    CHILD_UNDER_14 = "child_under_14"

    @property
    def needs_proof(self) -> bool:
        """Whether the citizen must upload a proof; a child's age is computed from the birth date."""
        return self is not Exemption.CHILD_UNDER_14


# --- value types with plain-English errors ----------------------------------------------------------------


_STATE_DUTY = re.compile(r"пошлин|state\s+duty", re.IGNORECASE)


def _text(max_length: int) -> AfterValidator:
    def check(value: str) -> str:
        value = check_text(value, max_length)
        if _STATE_DUTY.search(value):
            raise PydanticCustomError(
                "state_duty",
                "must not call the payment a state duty (пошлина): there is no state duty for a medical book",
            )
        return value

    return AfterValidator(check)


_Int = Annotated[int, Strict()]
Months = Annotated[_Int, between(1, 120)]
BookMonths = Annotated[_Int, between(1, 240)]
Hour = Annotated[_Int, between(0, 23)]
Title = Annotated[str, Strict(), _text(64)]
InvoiceText = Annotated[str, Strict(), _text(255)]  # Telegram limits an invoice description to 255 characters
LongText = Annotated[str, Strict(), _text(3000)]

_CATEGORY_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_MAX_PRICE = Decimal(1_000_000)


def _price(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= _MAX_PRICE:
        raise PydanticCustomError(
            "out_of_range", "must be between 0 and {high} (got {got})", {"high": _MAX_PRICE, "got": value}
        )
    if value != value.quantize(Decimal("0.01")):
        raise PydanticCustomError(
            "too_precise", "must have at most 2 digits after the decimal point (got {got})", {"got": value}
        )
    return value


# --- the model --------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ExamList = Annotated[tuple[ExamCode, ...], AfterValidator(unique)]


class Category(_Model):
    enabled: StrictBool = True
    # Items every time (at hiring and at each periodic exam), besides the general block (exams.general).
    exams: ExamList
    # Items only at hiring (the preliminary exam), never at a periodic one.
    exams_at_hiring: ExamList = ()
    periodic_exam_months: Months = 12
    attestation_months: Months = 24
    title_ru: Title | None = None
    title_en: Title | None = None

    @field_validator("exams")
    @classmethod
    def _not_empty(cls, exams: tuple[ExamCode, ...]) -> tuple[ExamCode, ...]:
        if not exams:
            raise PydanticCustomError("exams_empty", "must list at least one exam")
        return exams

    @model_validator(mode="after")
    def _hiring_not_also_every_time(self) -> Category:
        reject_problems([
            ("exams_at_hiring", f"{code} is also in exams; an item is either every time or only at hiring")
            for code in self.exams_at_hiring if code in self.exams
        ])
        return self


_E = ExamCode
# Приказ Минздрава России от 28.01.2021 № 29н, приложение: пп. 23 (food), 24 (water), 25 (children),
# 26 (communal), 27 (medical): оториноларинголог, дерматовенеролог, стоматолог and the tests of each item;
# the hygiene attestation (Приказ № 229; its period is the operator's rule); vaccinations by epidemic indication
# are recorded, not required. The general block (пп. 12, 31) is `ExamPolicy.general`. A starting point, not a
# legal opinion: the operator checks each list against the appendix for the works they serve.
_DOCTORS_23_27 = (_E.OTORHINOLARYNGOLOGIST, _E.DERMATOVENEREOLOGIST, _E.DENTIST)
_BUILTIN_CATEGORIES: Final[Mapping[str, Mapping[str, Any]]] = {
    "food": {  # 29н п. 23
        "exams": (*_DOCTORS_23_27, _E.SYPHILIS, _E.HELMINTHS, _E.HYGIENE_ATTESTATION,
                  _E.VACCINATION_HEPATITIS_A, _E.VACCINATION_DYSENTERY_SONNE),
        "exams_at_hiring": (_E.INTESTINAL_INFECTIONS, _E.STAPH_SWAB),
        "attestation_months": 12,
    },
    "children": {  # 29н п. 25
        "exams": (*_DOCTORS_23_27, _E.SYPHILIS, _E.HELMINTHS, _E.HYGIENE_ATTESTATION, _E.VACCINATION_HEPATITIS_A),
        "exams_at_hiring": (_E.GONORRHEA, _E.INTESTINAL_INFECTIONS),
        "attestation_months": 24,  # PRODUCT.md: 24 months (12 where the work includes catering)
    },
    "communal": {  # 29н п. 26
        "exams": (*_DOCTORS_23_27, _E.SYPHILIS, _E.HYGIENE_ATTESTATION),
        "exams_at_hiring": (_E.GONORRHEA, _E.INTESTINAL_INFECTIONS),
    },
    "water": {  # 29н п. 24
        "exams": (*_DOCTORS_23_27, _E.SYPHILIS, _E.HELMINTHS, _E.HYGIENE_ATTESTATION),
    },
    "medical": {  # 29н п. 27
        "exams": (*_DOCTORS_23_27, _E.SYPHILIS, _E.HYGIENE_ATTESTATION),
        "exams_at_hiring": (_E.GONORRHEA, _E.INTESTINAL_INFECTIONS, _E.HELMINTHS),
    },
    "other": {  # other works of 988н/1420н: the general block and the attestation
        "exams": (_E.HYGIENE_ATTESTATION,),
    },
}


def _item(kind: ExamKind, result: ExamResult = ExamResult.NONE, **rest: Any) -> dict[str, Any]:
    return {"kind": kind.value, "result": result.value, **rest}


_D, _T, _V = ExamKind.DOCTOR, ExamKind.TEST, ExamKind.VACCINATION
_BUILTIN_ITEMS: Final[Mapping[ExamCode, Mapping[str, Any]]] = {
    _E.THERAPIST: _item(_D, ExamResult.FIT),
    _E.PSYCHIATRIST: _item(_D, ExamResult.ADMITTED),
    _E.NARCOLOGIST: _item(_D, ExamResult.ADMITTED),
    _E.NEUROLOGIST: _item(_D, ExamResult.ADMITTED),
    _E.BLOOD_TEST: _item(_T),
    _E.URINE_TEST: _item(_T),
    _E.ECG: _item(_T),
    _E.FLUOROGRAPHY: _item(_T, calendar_year=True),
    _E.GLUCOSE: _item(_T),
    _E.CHOLESTEROL: _item(_T),
    _E.GYNECOLOGIST: _item(_D, ExamResult.ADMITTED, women_only=True),
    _E.MAMMOGRAPHY: _item(_T, women_only=True, min_age=40),
    _E.EYE_PRESSURE: _item(_T, min_age=40),
    _E.OTORHINOLARYNGOLOGIST: _item(_D, ExamResult.ADMITTED),
    _E.DERMATOVENEREOLOGIST: _item(_D, ExamResult.ADMITTED),
    _E.DENTIST: _item(_D, ExamResult.ADMITTED),
    _E.SYPHILIS: _item(_T, ExamResult.NEGATIVE),
    _E.GONORRHEA: _item(_T, ExamResult.NEGATIVE),
    _E.INTESTINAL_INFECTIONS: _item(_T, ExamResult.NEGATIVE),
    _E.HELMINTHS: _item(_T, ExamResult.NEGATIVE),
    _E.STAPH_SWAB: _item(_T, ExamResult.NEGATIVE),
    _E.HYGIENE_ATTESTATION: _item(ExamKind.ATTESTATION, ExamResult.CERTIFICATE),
    _E.VACCINATION_DIPHTHERIA_TETANUS: _item(_V, period_months=120, required=False),
    _E.VACCINATION_MEASLES: _item(_V, period_months=0, required=False),
    _E.VACCINATION_HEPATITIS_B: _item(_V, period_months=0, required=False),
    _E.VACCINATION_HEPATITIS_A: _item(_V, period_months=0, required=False),
    _E.VACCINATION_DYSENTERY_SONNE: _item(_V, period_months=12, required=False),
}
_GENERAL: Final = (  # 29н пп. 12, 31; the national calendar's vaccinations (recorded, not required)
    _E.THERAPIST, _E.PSYCHIATRIST, _E.NARCOLOGIST, _E.NEUROLOGIST, _E.BLOOD_TEST, _E.URINE_TEST, _E.ECG,
    _E.FLUOROGRAPHY, _E.GLUCOSE, _E.CHOLESTEROL, _E.GYNECOLOGIST, _E.MAMMOGRAPHY, _E.EYE_PRESSURE,
    _E.VACCINATION_DIPHTHERIA_TETANUS, _E.VACCINATION_MEASLES, _E.VACCINATION_HEPATITIS_B,
)
del _E, _D, _T, _V


class ExamItem(_Model):
    """One item of the catalogue, as the operator runs it."""

    kind: ExamKind
    # Months a result stays valid: unset = the category's periodic_exam_months (the attestation: its
    # attestation_months); 0 = it does not run out (a vaccination given once).
    period_months: Annotated[_Int, between(0, 240)] | None = None
    # Valid to the end of the calendar year after the one it was done in (fluorography: "not needed if done
    # in the previous calendar year", 29н); period_months is then not used.
    calendar_year: StrictBool = False
    women_only: StrictBool = False
    min_age: Annotated[_Int, between(0, 110)] | None = None  # asked only from this age on
    result: ExamResult = ExamResult.NONE
    required: StrictBool = True  # false: recorded when the person has it, never blocks approval


def _default_items() -> dict[ExamCode, ExamItem]:
    return {code: ExamItem.model_validate(dict(fields)) for code, fields in _BUILTIN_ITEMS.items()}


class ExamPolicy(_Model):
    # The general block of 29н (пп. 12, 31), for every category, every time.
    general: ExamList = _GENERAL
    items: dict[ExamCode, ExamItem] = Field(default_factory=_default_items)
    # true: an application is sent only when every required item is at least sent for review;
    # false: it may be sent with exams still open. Approval always waits for every required item.
    before_submit: StrictBool = False

    @field_validator("items", mode="before")
    @classmethod
    def _merge_builtin(cls, value: Any) -> Any:
        """Every item exists; a table for one overrides only the keys it sets."""
        if not isinstance(value, Mapping):
            return value
        merged: dict[Any, Any] = {code.value: dict(fields) for code, fields in _BUILTIN_ITEMS.items()}
        for code, entry in value.items():
            base = merged.get(code)
            merged[code] = {**base, **entry} if isinstance(base, dict) and isinstance(entry, Mapping) else entry
        return merged



BUILTIN_CATEGORY_CODES: Final[tuple[str, ...]] = tuple(_BUILTIN_CATEGORIES)


def _default_categories() -> dict[str, Category]:
    return {code: Category.model_validate(dict(fields)) for code, fields in _BUILTIN_CATEGORIES.items()}


class BookPolicy(_Model):
    validity_months_adult: BookMonths = 60
    validity_months_minor: BookMonths = 36


class DocumentPolicy(_Model):
    required_adult: Annotated[tuple[DocumentKind, ...], AfterValidator(unique)] = (
        DocumentKind.PASSPORT_MAIN,
        DocumentKind.PASSPORT_REGISTRATION,
        DocumentKind.OMS_POLICY,
    )
    required_child: Annotated[tuple[DocumentKind, ...], AfterValidator(unique)] = (
        DocumentKind.BIRTH_CERTIFICATE,
        DocumentKind.OMS_POLICY,
    )
    optional: Annotated[tuple[DocumentKind, ...], AfterValidator(unique)] = (DocumentKind.OTHERS,)
    # Files one document step takes (pages of a passport, several certificates under «others»).
    max_files_per_step: Annotated[_Int, between(1, 30)] = 10

    @model_validator(mode="after")
    def _optional_is_not_required(self) -> DocumentPolicy:
        problems = []
        for kind in self.optional:
            lists = [name for name in ("required_adult", "required_child") if kind in getattr(self, name)]
            if lists:
                where = " and ".join(lists)
                problems.append(
                    (
                        "optional",
                        f"{kind} is also in {where}; a document cannot be both required and optional",
                    )
                )
        reject_problems(problems)
        return self


class PaymentPolicy(_Model):
    price_rub: Annotated[Decimal, AfterValidator(_price)] = Decimal(0)
    currency: Literal["RUB"] = "RUB"
    covers_ru: InvoiceText
    covers_en: InvoiceText
    exemptions: Annotated[tuple[Exemption, ...], AfterValidator(unique)] = (
        Exemption.STUDENT,
        Exemption.PENSIONER,
        Exemption.CHILD_UNDER_14,
    )
    instructions_ru: LongText
    instructions_en: LongText

    @property
    def price_minor_units(self) -> int:
        """The price in kopecks, as Telegram invoices want it."""
        return int(self.price_rub * 100)


class QuietHours(_Model):
    start: Hour = 21
    end: Hour = 9

    def is_quiet(self, local: time) -> bool:
        """Whether a local time falls in [start, end) (wrapping past midnight); start == end means never."""
        hour = local.hour
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


class ReminderPolicy(_Model):
    validity_days_before: Annotated[
        tuple[Annotated[_Int, between(0, 365)], ...], AfterValidator(unique_sorted_desc)
    ] = (60, 30, 7, 1, 0)
    appointment_day_before_hour: Annotated[_Int, between(0, 23)] = 18  # the evening before, clinic time
    appointment_hours_before: Annotated[_Int, between(1, 23)] = 2
    stuck_application_hours: Annotated[_Int, between(1, 720)] = 48
    quiet_hours: QuietHours = Field(default_factory=QuietHours)


class BookingPolicy(_Model):
    horizon_days: Annotated[_Int, between(1, 90)] = 14
    referral_required: bool = False  # the талон says to bring the employer's referral


class SupportPolicy(_Model):
    contact_ru: LongText
    contact_en: LongText


class RetentionPolicy(_Model):
    """How long the bot keeps what nobody uses any more (issue 15; the daily retention sweep erases what is
    past it), and how long an erasure on the holder's request leaves an issued book's record in place.
    These are the operator's rules under 152-ФЗ (ст. 5 ч. 7: no longer than the purpose needs), not law's
    fixed numbers: the defaults are a starting point the operator confirms."""

    inactive_draft_days: Annotated[_Int, between(1, 3650)] = 180  # a draft never sent, untouched this long
    rejected_application_days: Annotated[_Int, between(1, 3650)] = 365  # a rejected application, since rejection
    # An issued book's record (its signed content, number and check page), from its issue date; 0: not kept.
    issued_book_years: Annotated[_Int, between(0, 75)] = 10


def _category_code(code: str) -> str:
    if not _CATEGORY_CODE.fullmatch(code):
        raise PydanticCustomError(
            "category_code",
            "a category code must be 1 to 32 lowercase Latin letters, digits or _, starting with a letter",
        )
    return code


CategoryCode = Annotated[str, AfterValidator(_category_code)]


class Policy(_Model):
    categories: dict[CategoryCode, Category] = Field(default_factory=_default_categories)
    book: BookPolicy = Field(default_factory=BookPolicy)
    documents: DocumentPolicy = Field(default_factory=DocumentPolicy)
    payment: PaymentPolicy
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    booking: BookingPolicy = Field(default_factory=BookingPolicy)
    exams: ExamPolicy = Field(default_factory=ExamPolicy)
    support: SupportPolicy
    retention: RetentionPolicy = Field(default_factory=RetentionPolicy)

    @field_validator("categories", mode="before")
    @classmethod
    def _merge_builtin(cls, value: Any) -> Any:
        """Built-in categories always exist; a table for a built-in code overrides only the keys it sets."""
        if not isinstance(value, Mapping):
            return value
        merged: dict[Any, Any] = {code: dict(fields) for code, fields in _BUILTIN_CATEGORIES.items()}
        for code, entry in value.items():
            base = merged.get(code)
            merged[code] = {**base, **entry} if isinstance(base, dict) and isinstance(entry, Mapping) else entry
        return merged

    @field_validator("categories")
    @classmethod
    def _category_rules(cls, categories: dict[str, Category]) -> dict[str, Category]:
        problems: list[tuple[str, str]] = []
        for code, category in categories.items():
            if code not in _BUILTIN_CATEGORIES:
                problems.extend(
                    (f"{code}.{key}", "is required for a category that is not built in")
                    for key in ("title_ru", "title_en")
                    if getattr(category, key) is None
                )
        if not any(category.enabled for category in categories.values()):
            problems.append(("", "at least one category must have enabled = true"))
        reject_problems(problems)
        return categories

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise KeyError(f"unknown work category {code!r}") from None

    def enabled_categories(self) -> list[str]:
        return [code for code, category in self.categories.items() if category.enabled]

    def exams_for(self, category: str) -> list[ExamCode]:
        """Every item a holder of ``category`` may be asked for (general block, every time, at hiring)."""
        chosen = self.category(category)
        return list(dict.fromkeys([*self.exams.general, *chosen.exams, *chosen.exams_at_hiring]))

    @property
    def requestable_documents(self) -> tuple[str, ...]:
        """What staff may ask a citizen to send again: the photo and every document kind, in catalogue order."""
        return (PHOTO_KIND, *(kind.value for kind in DOCUMENT_CATALOGUE))

    def required_documents(self, is_child: bool) -> list[DocumentKind]:
        """Uploads required of a holder; ``is_child`` means under 14 (no passport yet)."""
        return list(self.documents.required_child if is_child else self.documents.required_adult)

    def book_validity_months(self, is_minor: bool) -> int:
        return self.book.validity_months_minor if is_minor else self.book.validity_months_adult

    @property
    def requires_payment(self) -> bool:
        return self.payment.price_rub > 0
