"""The applicant's draft: everything the wizard collects, as one pydantic model.

It is saved (encrypted) after every step, so «Отмена», a restart or «Изменить» never lose anything.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Relation(StrEnum):
    SELF = "self"
    CHILD = "child"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Citizenship(StrEnum):
    RU = "ru"
    OTHER = "other"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Passport(_Part):
    series: str | None = None
    number: str | None = None
    issue_date: date | None = None
    division_code: str | None = None
    issued_by: str | None = None


class BirthCertificate(_Part):
    series: str | None = None
    number: str | None = None
    issue_date: date | None = None


class ForeignPassport(_Part):
    """A foreign citizen's national passport, as printed."""

    country: str | None = None  # a code of domain.wizard.FOREIGN_COUNTRIES, or "other"
    country_name: str | None = None  # typed when country is "other"
    number: str | None = None  # Latin capitals and digits, as printed
    issue_date: date | None = None
    expiry_date: date | None = None
    expiry_skipped: bool = False  # the passport has no expiry date, or the person skipped it


class Dms(_Part):
    """A voluntary health insurance policy (ДМС): a number as printed and the insurer's name."""

    number: str | None = None
    insurer: str | None = None


class PolicyKind(StrEnum):
    OMS = "oms"
    DMS = "dms"


class Employer(_Part):
    name: str | None = None
    inn: str | None = None
    ogrn: str | None = None
    okpo: str | None = None
    okpo_skipped: bool = False
    position: str | None = None
    start_date: date | None = None


class Draft(_Part):
    relation: Relation = Relation.SELF
    phone: str | None = None
    # True: shared with the contact button (Telegram vouches it is the person's own); False: typed.
    # None: no phone yet, or a draft from before typing was allowed (those all came from the button).
    phone_confirmed: bool | None = None
    email: str | None = None
    email_skipped: bool = False
    surname: str | None = None
    name: str | None = None
    patronymic: str | None = None
    patronymic_skipped: bool = False
    birth_date: date | None = None
    sex: Sex | None = None
    citizenship: Citizenship | None = None
    postal_index: str | None = None
    address: str | None = None
    category: str | None = None
    passport: Passport = Passport()
    birth_certificate: BirthCertificate = BirthCertificate()
    foreign_passport: ForeignPassport = ForeignPassport()
    snils: str | None = None
    snils_skipped: bool = False  # a foreign citizen without СНИЛС
    policy_kind: PolicyKind | None = None  # asked of foreign citizens only: ОМС or ДМС
    policy_skipped: bool = False  # a foreign citizen without a policy
    oms_kind: str | None = None
    oms_number: str | None = None
    dms: Dms = Dms()
    employer: Employer = Employer()
    employer_skipped: bool = False
    photo_upload_id: int | None = None  # the accepted, corrected 3×4 photo
    confirmed_documents: list[str] = []  # document kinds whose scans the person confirmed legible
    skipped_documents: list[str] = []  # optional document kinds the person skipped
    payment_receipt_id: int | None = None  # a stored payment (Telegram invoice or an uploaded receipt)
    payment_exemption: str | None = None  # an Exemption code the person claims instead of paying
    payment_proof_upload_id: int | None = None  # the proof of that exemption, where one is needed
    # «Renew»: the book this draft renews, from the press until that renewal's new book is issued (the
    # submitted application keeps it in applications.renews_book_id).
    renews_book_id: int | None = None

    def payment_settled(self, proof_needed: bool) -> bool:
        if self.payment_receipt_id is not None:
            return True
        return self.payment_exemption is not None and (self.payment_proof_upload_id is not None or not proof_needed)

    @property
    def is_foreign(self) -> bool:
        return self.citizenship is Citizenship.OTHER

    @property
    def phone_typed(self) -> bool:
        """The number was typed, not shared with the contact button: the summary says it is not confirmed."""
        return self.phone is not None and self.phone_confirmed is False

    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)
