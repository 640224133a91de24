"""'Add my ELMK': the questions, the refusals, the holder's list of added ELMK, staff's message of one."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import ElmkCb, ElmkStaffCb, MenuCb
from services.elmk import Refusal
from storage.elmk import AddedElmk
from views.ui import fmt_date
from views.wizard import issues_text

QUESTIONS = {"BookFlow:elmk_number": "elmk-ask-number", "BookFlow:elmk_issued": "elmk-ask-issued",
             "BookFlow:elmk_until": "elmk-ask-until", "BookFlow:elmk_file": "elmk-ask-file"}


def question(tr: Tr, state: str) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=tr("btn-back"), callback_data=ElmkCb(action="back").pack()),
        InlineKeyboardButton(text=tr("btn-cancel"), callback_data=ElmkCb(action="cancel").pack()),
    ]])
    return tr(QUESTIONS[state]), keyboard


def refused(tr: Tr, refusal: Refusal) -> str:
    return issues_text(tr, refusal.issues) if refusal.issues else tr(f"elmk-error-{refusal.code.replace('_', '-')}")


def line(tr: Tr, added: AddedElmk) -> str:
    source = tr("elmk-confirmed") if added.confirmed else tr("book-source-holder")
    return tr("elmk-line", number=added.number, issued=fmt_date(added.issued_on, tr),
              until=fmt_date(added.valid_until, tr), source=source)


def listing(tr: Tr, added: list[AddedElmk]) -> tuple[str, InlineKeyboardMarkup]:
    """The holder's added ELMK, labelled as the official book they added, next to the issued books."""
    text = "\n".join([tr("elmk-list-title"), *("• " + line(tr, a) for a in added), tr("elmk-official-note")])
    return text, InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())]])


def staff_message(tr: Tr, added: AddedElmk) -> tuple[str, InlineKeyboardMarkup | None]:
    text = tr("staff-elmk-title") + "\n" + line(tr, added)
    if added.confirmed:
        text += "\n" + tr("staff-elmk-confirmed-by", name=added.confirmed_by_name or "—")
        return text, None
    return text, InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=tr("btn-staff-elmk-file"),
                             callback_data=ElmkStaffCb(action="file", elmk=added.id).pack()),
        InlineKeyboardButton(text=tr("btn-staff-elmk-confirm"),
                             callback_data=ElmkStaffCb(action="confirm", elmk=added.id, version=added.version).pack()),
    ]])
