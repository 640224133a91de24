"""«My data»: the screens of the download and the erasure."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import MenuCb, PrivacyCb
from services.privacy import ErasePlan
from views.ui import fmt_date

# Erased but not listed: files get their own line (their count is of files, not rows); the conversation
# record exists for everyone who ever pressed a button, so listing it says nothing.
_UNLISTED = frozenset({"share_events", "files", "conversation"})


def _button(tr: Tr, key: str, action: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=tr(key), callback_data=PrivacyCb(action=action).pack())]


def _menu(tr: Tr) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())]


def overview(tr: Tr, *, has_consent: bool) -> tuple[str, InlineKeyboardMarkup]:
    rows = [_button(tr, "btn-privacy-export", "export"), _button(tr, "btn-privacy-erase", "erase")]
    text = tr("privacy-menu")
    if has_consent:
        rows.append(_button(tr, "btn-privacy-withdraw", "withdraw"))
        text += "\n" + tr("privacy-menu-withdraw")
    rows.append(_menu(tr))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def confirm_export(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    rows = [_button(tr, "btn-privacy-export-yes", "export_yes"), _button(tr, "btn-privacy-cancel", "cancel")]
    return tr("privacy-export-confirm"), InlineKeyboardMarkup(inline_keyboard=rows)


def too_big(tr: Tr, size: int) -> str:
    return tr("privacy-export-too-big", size=math.ceil(size / (1024 * 1024)))  # never "about 50" for 50.3


def _kept(tr: Tr, plan: ErasePlan, tz: ZoneInfo) -> str:
    if not plan.kept:
        return tr("privacy-erase-nothing-kept")
    return "\n".join(tr("privacy-erase-kept", number=k.number, until=fmt_date(k.until, tr, tz)) for k in plan.kept)


def confirm_erase(tr: Tr, plan: ErasePlan, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    lines = [tr("privacy-erase-line", section=s, count=n) for s, n in plan.deleted.items() if s not in _UNLISTED]
    if plan.files:
        lines.append(tr("privacy-erase-line", section="files", count=plan.files))
    what = "\n".join(lines) if lines else tr("privacy-erase-nothing")
    rows = [_button(tr, "btn-privacy-erase-yes", "erase_yes"), _button(tr, "btn-privacy-cancel", "cancel")]
    return tr("privacy-erase-confirm", what=what, kept=_kept(tr, plan, tz)), InlineKeyboardMarkup(inline_keyboard=rows)


def erased(tr: Tr, plan: ErasePlan, tz: ZoneInfo) -> str:
    text = tr("privacy-erased", rows=sum(plan.deleted.values()), files=plan.files)
    return f"{text}\n\n{_kept(tr, plan, tz)}" if plan.kept else text


def withdrawn(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    rows = [_button(tr, "btn-privacy-erase", "erase"), _menu(tr)]
    return tr("privacy-withdrawn"), InlineKeyboardMarkup(inline_keyboard=rows)
