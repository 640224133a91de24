"""The citizen's side of a submitted application: signing, 'My applications', a timeline, the documents staff
asked for."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr, document_label
from bot.keyboards import MenuCb, ReviewCb
from domain.policy import Policy
from domain.status import Status, StatusChange
from storage.applications import Application
from views.ui import fmt_date


def sign_screen(tr: Tr, name: str) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=tr("btn-sign-confirm"), callback_data=ReviewCb(action="sign_confirm").pack())],
        [InlineKeyboardButton(text=tr("btn-back-to-summary"), callback_data=ReviewCb(action="summary").pack())],
    ])
    return tr("review-sign-explain", name=name), keyboard


def submitted_text(tr: Tr, number: str, policy: Policy) -> str:
    """What happens after sending, in days: an application waiting longer than the policy's 'stuck' period
    is taken up with staff, so that period is what "usually" means."""
    days = max(1, -(-policy.reminders.stuck_application_hours // 24))
    return tr("review-submitted", number=number, days=days)


def mine_keyboard(tr: Tr, *, book: bool = False, exams: bool = False) -> InlineKeyboardMarkup:
    """`book`: the operator has clinics, so the next step, booking the exams, is offered first; `exams`: right
    after sending, 'Exams' too (uploading the exam results)."""
    rows = [
        [InlineKeyboardButton(text=tr("btn-my-applications"), callback_data=MenuCb(item="mine").pack())],
        [InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())],
    ]
    if exams:
        rows.insert(1, [InlineKeyboardButton(text=tr("btn-menu-exams"), callback_data=MenuCb(item="exams").pack())])
    if book:
        rows.insert(0, [InlineKeyboardButton(text=tr("btn-menu-book"), callback_data=MenuCb(item="book").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def mine(tr: Tr, apps: list[Application]) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [InlineKeyboardButton(text=tr("review-list-item", number=a.number, status=tr(f"status-{a.status.value}")),
                              callback_data=ReviewCb(action="open", app=a.id).pack())]
        for a in apps
    ]
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    text = tr("review-list-title") if apps else tr("review-list-empty")
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def timeline(tr: Tr, app: Application, history: list[StatusChange], tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    lines = [tr("review-timeline-title", number=app.number, status=tr(f"status-{app.status.value}")), ""]
    for entry in history:
        when = f"{fmt_date(entry.at, tr, tz)} {entry.at.astimezone(tz).strftime('%H:%M')}"
        lines.append(tr("review-timeline-entry", when=when, status=tr(f"status-{entry.to_status.value}")))
        if entry.comment:
            lines.append("   " + tr("push-status-comment", comment=entry.comment))
    rows = []
    if app.status is Status.NEEDS_DOCUMENTS:
        rows.append([InlineKeyboardButton(text=tr("btn-upload-requested"),
                                          callback_data=ReviewCb(action="upload", app=app.id).pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-my-applications"), callback_data=MenuCb(item="mine").pack())])
    return html.quote("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def upload_prompt(tr: Tr, app: Application, index: int, sent: int) -> tuple[str, InlineKeyboardMarkup]:
    kind = app.requested_documents[index]
    text = tr("review-upload-ask", number=app.number, n=index + 1, m=len(app.requested_documents),
              document=document_label(tr, kind))
    rows = []
    if sent:
        last = index + 1 == len(app.requested_documents)
        rows.append([InlineKeyboardButton(text=tr("btn-review-send") if last else tr("btn-upload-done"),
                                          callback_data=ReviewCb(action="next", app=app.id).pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-cancel"), callback_data=MenuCb(item="open").pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)
