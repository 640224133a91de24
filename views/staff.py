"""What staff see: the card of an application (summary, status, who acted, payment, the actions the status
machine allows), the document picker, the reason prompt, the full data, the queue, and the submitted files
as albums.

Text that comes from people (names, reasons, data) is escaped here, where it enters HTML, exactly once; the
summary arrives as HTML already rendered (and escaped) at submission, so it is inserted as it is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from aiogram import html
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
)

from bot.i18n import Tr, document_label
from bot.keyboards import StaffCb
from domain import wizard
from domain.applicant import Draft
from domain.status import STAFF_ACTIONS, Actor, Status, allowed_targets
from services.staff import REASON_TTL, CardInfo, PaymentState, QueuePage, StoredFile
from storage.applications import Application
from views.ui import fmt_date

ALBUM_SIZE = 10  # Telegram takes 2..10 items per album

# What 'Show in full' lists: who the applicant is and every identifier the card masks.
FULL_DATA_KEYS = (
    "surname", "name", "patronymic", "birth_date", "phone", "email", "passport_number", "passport_division_code",
    "birth_certificate_number", "foreign_passport_country_name", "foreign_passport_number", "snils", "oms",
    "dms_number", "address",
)


def _button(text: str, **data: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=StaffCb(**data).pack())  # type: ignore[arg-type]


def acted(tr: Tr, who: str, status: Status) -> str:
    """'Alice: in review' under the card; `who` is a person's name (escaped here)."""
    return tr("staff-acted", who=html.quote(who), status=tr(f"status-{status.value}"))


def card(tr: Tr, app: Application, info: CardInfo, acted: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    lines = [html.bold(tr("staff-card-title", number=app.number)),
             tr("staff-card-status", status=tr(f"status-{app.status.value}"))]
    if acted:
        lines.append(acted)
    if info.payment is not None:
        lines.append(tr(f"staff-card-payment-{info.payment.value}"))
    if info.open_exams:
        lines.append(exams_waiting(tr, info.open_exams))
    if info.renews_book:
        lines.append(tr("staff-card-renews", number=info.renews_book))
    if info.book_number and info.book_superseded_by:
        lines.append(tr("staff-card-book-superseded", number=info.book_number, new=info.book_superseded_by))
    elif info.book_number:
        lines.append(tr("staff-card-book-revoked" if info.book_revoked else "staff-card-book",
                        number=info.book_number))
    lines.append("")
    lines.append(info.summary)  # HTML, escaped when it was rendered
    rows = []
    for target in allowed_targets(app.status, Actor.STAFF):
        action = STAFF_ACTIONS.get(target)
        if target is Status.ISSUED and info.open_exams:
            continue  # 'Issue the EMK' only once every required entry is confirmed
        if action:
            rows.append(_button(tr(f"btn-staff-{action}"), action=action, app=app.id, version=app.version))
    if info.book_number and not info.book_revoked:
        rows.append(_button(tr("btn-staff-revoke"), action="revoke", app=app.id, version=app.version))
    keyboard = [rows[i:i + 2] for i in range(0, len(rows), 2)]
    if info.payment is PaymentState.UPLOADED:
        keyboard.append([_button(tr("btn-staff-paid"), action="paid", app=app.id, version=app.version)])
    keyboard.append([_button(tr("btn-staff-documents"), action="docs", app=app.id),
                     _button(tr("btn-staff-full"), action="full", app=app.id)])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=keyboard)


def exams_waiting(tr: Tr, open_items: Sequence[str]) -> str:
    """Plain text: the required exam items approval still waits for."""
    names = ", ".join(tr("exam-" + code.replace("_", "-")) for code in open_items)
    return tr("staff-card-exams-open", count=len(open_items), items=names)


def picker(tr: Tr, app: Application, kinds: Sequence[str], chosen: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [_button(("✅ " if kind in chosen else "") + document_label(tr, kind), action="pick", app=app.id,
                 version=app.version, value=kind)]
        for kind in kinds
    ]
    if chosen:
        rows.append([_button(tr("btn-staff-next"), action="send", app=app.id, version=app.version)])
    rows.append([_button(tr("btn-cancel"), action="cancel", app=app.id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def cancel_only(tr: Tr, app: Application) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_button(tr("btn-cancel"), action="cancel", app=app.id)]])


def reason_controls(tr: Tr, app: Application, who: str, action: str) -> tuple[str, InlineKeyboardMarkup]:
    """The message next to the reason prompt that carries 'Cancel' (a forced reply can have no buttons)."""
    text = tr("staff-reason-controls", name=html.quote(who), number=app.number, action=tr(f"btn-staff-{action}"),
              minutes=int(REASON_TTL.total_seconds() // 60))
    return text, cancel_only(tr, app)


def reason_prompt(tr: Tr, app: Application, who_id: int, who: str) -> tuple[str, ForceReply]:
    """A forced reply aimed at the one staff member (selective: the mention), so in a group only they are
    asked to reply; in a group with privacy mode the bot receives only replies to its own messages anyway."""
    mention = html.link(html.quote(who), f"tg://user?id={who_id}")
    return (tr("staff-ask-reason", number=app.number, name=mention),
            ForceReply(selective=True, input_field_placeholder=tr("staff-reason-placeholder")))


def _value(tr: Tr, key: str, draft: Draft) -> str | None:
    value = wizard.RULES[key].get(draft)
    if value is None or value == "":
        return None
    if key == "passport_number" and draft.passport.series:
        value = f"{draft.passport.series} {value}"
    elif key == "birth_certificate_number" and draft.birth_certificate.series:
        value = f"{draft.birth_certificate.series} {value}"
    if isinstance(value, date):
        return fmt_date(value, tr)
    return str(value)


def full_data(tr: Tr, app: Application, draft: Draft) -> str:
    """The applicant's data unmasked, for the staff member's private chat only."""
    lines = [html.bold(tr("staff-full-title", number=app.number))]
    for key in FULL_DATA_KEYS:
        value = _value(tr, key, draft)
        if value is not None:
            lines.append(f"{tr('apply-field-' + key.replace('_', '-'))}: {html.quote(value)}")
    return "\n".join(lines)


def queue(tr: Tr, counts: Mapping[Status, int]) -> tuple[str, InlineKeyboardMarkup]:
    """The staff menu: how many applications are in each status, each opening its list."""
    lines = [html.bold(tr("staff-queue-title"))]
    rows = []
    for status in Status:
        n = counts.get(status, 0)
        label = tr("staff-queue-item", status=tr(f"status-{status.value}"), count=n)
        lines.append(label)
        if n:
            rows.append([_button(label, action="list", app=0, value=status.value)])
    if not any(counts.values()):
        lines.append(tr("staff-queue-empty"))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def queue_page(tr: Tr, page: QueuePage) -> tuple[str, InlineKeyboardMarkup]:
    status = page.status.value
    text = tr("staff-queue-list", status=tr(f"status-{status}"), page=page.page + 1, pages=page.pages)
    rows = [[_button(app.number, action="open", app=app.id)] for app in page.apps]
    paging = []
    if page.page > 0:
        paging.append(_button(tr("btn-staff-prev"), action="list", app=0, version=page.page - 1, value=status))
    if page.page + 1 < page.pages:
        paging.append(_button(tr("btn-staff-more"), action="list", app=0, version=page.page + 1, value=status))
    if paging:
        rows.append(paging)
    rows.append([_button(tr("btn-staff-queue"), action="queue", app=0)])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def albums(files: list[StoredFile]) -> list[list[InputMediaPhoto | InputMediaDocument]]:
    """The files as albums: photos as photos, the rest as documents, at most ten to an album."""
    photos: list[InputMediaPhoto | InputMediaDocument] = []
    docs: list[InputMediaPhoto | InputMediaDocument] = []
    for f in files:
        u = f.upload
        name = f"{u.kind}.{u.detected_type or 'bin'}"
        if u.detected_type == "jpeg" and u.kind == "photo":
            photos.append(InputMediaPhoto(media=BufferedInputFile(f.data, name)))
        else:
            docs.append(InputMediaDocument(media=BufferedInputFile(f.data, name)))
    return [group[i:i + ALBUM_SIZE] for group in (photos, docs) for i in range(0, len(group), ALBUM_SIZE)]
