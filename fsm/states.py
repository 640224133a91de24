"""Every conversation state of the bot, one StatesGroup per flow.

`HINTS` says, for each state, which Fluent key explains what the bot expects there; the catch-all handler
uses it, and a test checks that every state has one.
"""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ConsentFlow(StatesGroup):
    waiting = State()


class Apply(StatesGroup):
    """The application wizard: one state per step of fsm/steps.py, plus the profile choice and the summary."""

    choose_profile = State()
    phone = State()
    email = State()
    surname = State()
    name = State()
    patronymic = State()
    birth_date = State()
    sex = State()
    citizenship = State()
    address = State()
    category = State()
    passport_number = State()
    passport_issue_date = State()
    passport_division_code = State()
    passport_issued_by = State()
    birth_certificate_number = State()
    birth_certificate_issue_date = State()
    foreign_passport_country = State()
    foreign_passport_country_name = State()
    foreign_passport_number = State()
    foreign_passport_issue_date = State()
    foreign_passport_expiry_date = State()
    snils = State()
    policy_kind = State()
    oms = State()
    dms_number = State()
    dms_insurer = State()
    photo = State()
    photo_confirm = State()  # the corrected photo is shown: use it or send another
    employer_name = State()
    employer_inn = State()
    employer_ogrn = State()
    employer_okpo = State()
    employer_position = State()
    employer_start_date = State()
    doc_passport_main = State()
    doc_passport_registration = State()
    doc_birth_certificate = State()
    doc_oms_policy = State()
    doc_others = State()
    doc_confirm = State()  # 'are signatures, stamps and dates readable?'
    payment = State()  # price, exemptions, invoice or instructions (only where the policy sets a price)
    payment_proof = State()  # uploading a receipt or the proof of an exemption
    summary = State()


class Review(StatesGroup):
    """The citizen's side after submission."""

    confirm_sign = State()  # 'Sign and send?'
    uploading = State()  # sending the documents staff asked for


class Exams(StatesGroup):
    """One exam result: the file, then its date, institution and (where the item has one) result."""

    upload = State()
    date = State()
    institution = State()
    result = State()


class StaffFlow(StatesGroup):
    """A staff member in the middle of an action that needs more input."""

    pick_documents = State()  # which documents to ask for
    reason = State()  # the reason for a rejection or a request
    exam_reason = State()  # why an exam result is returned


class Booking(StatesGroup):
    """Booking an exam (or moving a booking): every step is a button; typed input gets the step's hint."""

    region = State()
    clinic = State()
    card = State()
    day = State()
    time = State()
    confirm = State()


class BookFlow(StatesGroup):
    check = State()  # 'Check': waiting for a book number
    elmk_number = State()  # 'Add my ELMK': its number,
    elmk_issued = State()  # its issue date,
    elmk_until = State()  # the valid-until date of its latest exam,
    elmk_file = State()  # its PDF or a photo of its QR


class Notify(StatesGroup):
    """'Notification settings': waiting for typed quiet hours or a typed time zone."""

    quiet = State()
    zone = State()


class Renewal(StatesGroup):
    """«Renew» a book: every step here is a button; the changed items reopen wizard steps (Apply states)."""

    changes = State()  # 'What changed?': passport, address, employer, or go on
    entries = State()  # the entries that run out: upload their results now or later, then the summary


class MyData(StatesGroup):
    """«My data»: the download and the erasure each wait for a confirmation button."""

    confirm_export = State()
    confirm_erase = State()


class ShareFlow(StatesGroup):
    """'Share' on a book's card: the employer's INN/OGRN, its name (or skip), the level, the lifetime."""

    employer = State()
    name = State()
    level = State()  # buttons only
    lifetime = State()  # buttons only


HINTS: dict[str, str] = {
    Notify.quiet.state: "hint-notify-quiet",
    Notify.zone.state: "hint-notify-zone",
    Renewal.changes.state: "hint-renewal-changes",
    Renewal.entries.state: "hint-renewal-entries",
    MyData.confirm_export.state: "hint-privacy-confirm",
    MyData.confirm_erase.state: "hint-privacy-confirm",
    ShareFlow.employer.state: "hint-share-employer",
    ShareFlow.name.state: "hint-share-name",
    ShareFlow.level.state: "hint-share-level",
    ShareFlow.lifetime.state: "hint-share-lifetime",
    BookFlow.check.state: "hint-book-check",
    BookFlow.elmk_number.state: "hint-elmk-number",
    BookFlow.elmk_issued.state: "hint-elmk-date",
    BookFlow.elmk_until.state: "hint-elmk-date",
    BookFlow.elmk_file.state: "hint-elmk-file",
    ConsentFlow.waiting.state: "hint-consent",
    Apply.choose_profile.state: "hint-apply-choose-profile",
    Apply.summary.state: "hint-apply-summary",
    Apply.photo_confirm.state: "hint-apply-photo-confirm",
    Apply.doc_confirm.state: "hint-apply-doc-confirm",
    Apply.payment_proof.state: "hint-apply-payment-proof",
    Review.confirm_sign.state: "hint-review-confirm",
    Review.uploading.state: "hint-review-upload",
    StaffFlow.pick_documents.state: "hint-staff-pick",
    StaffFlow.reason.state: "hint-staff-reason",
    StaffFlow.exam_reason.state: "hint-staff-reason",
    Exams.upload.state: "hint-exams-upload",
    Exams.date.state: "hint-exams-date",
    Exams.institution.state: "hint-exams-institution",
    Exams.result.state: "hint-exams-result",
    **{state.state: f"hint-booking-{state.state.split(':')[1]}" for state in Booking.__all_states__ if state.state},
}

IDLE_HINT = "hint-idle"

# What a state that is not a wizard step waits for (wizard steps say it through their kind): the rest of
# what a person can send there gets the state's hint.
EXPECTS: dict[str, frozenset[str]] = {
    Notify.quiet.state: frozenset({"text"}),
    Notify.zone.state: frozenset({"text"}),
    ShareFlow.employer.state: frozenset({"text"}),
    ShareFlow.name.state: frozenset({"text"}),
    ShareFlow.level.state: frozenset(),
    ShareFlow.lifetime.state: frozenset(),
    Review.uploading.state: frozenset({"photo", "document"}),
    StaffFlow.reason.state: frozenset({"text"}),
    Apply.payment_proof.state: frozenset({"photo", "document"}),
    BookFlow.check.state: frozenset({"text", "photo", "document"}),
    BookFlow.elmk_number.state: frozenset({"text"}),
    BookFlow.elmk_issued.state: frozenset({"text"}),
    BookFlow.elmk_until.state: frozenset({"text"}),
    BookFlow.elmk_file.state: frozenset({"photo", "document"}),
    StaffFlow.exam_reason.state: frozenset({"text"}),
    Exams.upload.state: frozenset({"photo", "document"}),
    Exams.date.state: frozenset({"text"}),
    Exams.institution.state: frozenset({"text"}),
    Exams.result.state: frozenset({"text"}),
}


def all_states() -> list[State]:
    groups: list[type[StatesGroup]] = [ConsentFlow, Apply, Review, Exams, StaffFlow, Booking, BookFlow, Renewal,
                                       MyData, ShareFlow, Notify]
    return [state for group in groups for state in group.__all_states__]


def hint_for(state: str | None) -> str:
    if state is None:
        return IDLE_HINT
    if state in HINTS:
        return HINTS[state]
    from fsm.steps import STEP_BY_STATE

    step = STEP_BY_STATE.get(state)
    return f"hint-apply-{step.kind}" if step else IDLE_HINT
