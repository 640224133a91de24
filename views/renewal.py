"""«Renew» in the chat: 'What changed?', the entries that run out, and why a press cannot start a renewal."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import ExamCb, MenuCb, RenewCb
from domain import wizard
from domain.applicant import Draft
from domain.exams import ExamState
from services.exams import ItemView
from services.renewal import CHANGES, Entries, Refused
from services.wizard import Changes
from views.exams import label
from views.ui import fmt_date


def _button(text: str, action: str, book: int = 0) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=RenewCb(action=action, book=book).pack())]


def change_label(tr: Tr, change: str, draft: Draft, ctx: wizard.Context) -> str:
    """The passport goes by the applicant's document (passport, birth certificate, foreign passport)."""
    if change == "passport":
        return tr("apply-section-" + wizard.section_label("document", draft, ctx))
    return tr(f"renew-change-{change}")


def changes(tr: Tr, screen: Changes, draft: Draft, ctx: wizard.Context) -> tuple[str, InlineKeyboardMarkup]:
    lines = [html.bold(tr("renew-title", number=screen.number))]
    if screen.again:
        lines.append(tr("renew-continued"))
    go_on = "btn-renew-next" if screen.changed or screen.again else "btn-renew-nothing"
    lines += ["", tr("renew-changes-ask", go_on=tr(go_on))]  # names the button this screen shows
    if screen.changed:
        lines += ["", tr("renew-changes-done", items=", ".join(change_label(tr, c, draft, ctx)
                                                                for c in CHANGES if c in screen.changed))]
    rows = [_button(("✅ " if change in screen.changed else "") + change_label(tr, change, draft, ctx), change,
                    screen.book_id) for change in CHANGES]
    rows.append(_button(tr(go_on), "next", screen.book_id))
    rows.append(_button(tr("btn-cancel"), "cancel", screen.book_id))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _state(tr: Tr, view: ItemView) -> str:
    until = view.record.valid_until if view.record is not None else None
    if view.state is ExamState.CONFIRMED:
        return tr("renew-entry-until", date=fmt_date(until, tr))
    if view.state is ExamState.EXPIRED:
        return tr("renew-entry-expired", date=fmt_date(until, tr))
    return tr("renew-entry-missing")


def entries(tr: Tr, found: Entries) -> tuple[str, InlineKeyboardMarkup]:
    """The required entries that run out by the horizon, each with a button into the exam-result flow."""
    lines = [html.bold(tr("renew-title", number=found.number)), ""]
    if found.running_out:
        lines.append(tr("renew-entries-title", date=fmt_date(found.until, tr)))
        lines += [f"• {html.quote(label(tr, v.item.code))} — {_state(tr, v)}" for v in found.running_out]
    else:
        lines.append(tr("renew-entries-none", date=fmt_date(found.until, tr)))
    if found.on_review:
        lines += ["", tr("renew-entries-on-review",
                         items=", ".join(html.quote(label(tr, v.item.code)) for v in found.on_review))]
    if found.running_out:
        lines += ["", tr("renew-entries-how")]
    rows = [[InlineKeyboardButton(
        text=tr("btn-renew-upload", item=label(tr, v.item.code)),
        callback_data=ExamCb(action="item", profile=found.profile_id, item=v.item.code).pack())]
        for v in found.running_out]
    rows.append(_button(tr("btn-renew-to-summary"), "summary"))
    rows.append(_button(tr("btn-back"), "back") + _button(tr("btn-cancel"), "cancel"))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def refused(tr: Tr, why: Refused) -> tuple[str, InlineKeyboardMarkup]:
    """Why «Renew» cannot start here, and where to go instead."""
    args: dict[str, str] = {"number": why.number or "—"}
    rows = []
    if why.app is not None:
        args.update(application=why.app.number, status=tr(f"status-{why.app.status.value}"))
        rows.append([InlineKeyboardButton(text=tr("btn-my-applications"),
                                          callback_data=MenuCb(item="mine").pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    return tr(f"renew-refused-{why.reason.replace('_', '-')}", **args), InlineKeyboardMarkup(inline_keyboard=rows)
