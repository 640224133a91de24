"""Sharing a book with an employer, in the chat: the questions, the link with its QR, 'My links' with
one-tap revocation, and the holder's push when the employer confirms receipt."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import MenuCb, MyBookCb, ShareCb
from domain.issues import Issue
from domain.sharing import DEFAULT_LIFETIME_DAYS, LIFETIMES_DAYS, ShareLevel, ShareState
from services.sharing import CreatedShare, ShareLine
from storage.shares import StoredShare
from views.ui import fmt_date
from views.wizard import issues_text

STATE_MARK = {ShareState.CREATED: "🔗", ShareState.OPENED: "👀", ShareState.DELIVERED: "✅",
              ShareState.REVOKED: "⛔", ShareState.EXPIRED: "⌛"}


def _button(text: str, **data: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ShareCb(**data).pack())  # type: ignore[arg-type]


def _cancel(tr: Tr) -> list[InlineKeyboardButton]:
    return [_button(tr("btn-cancel"), action="cancel")]


def ask_employer(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    return tr("share-ask-employer"), InlineKeyboardMarkup(inline_keyboard=[_cancel(tr)])


def employer_refused(tr: Tr, issues: tuple[Issue, ...]) -> str:
    return issues_text(tr, issues) + "\n" + tr("share-ask-employer")


def ask_name(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    return tr("share-ask-name"), InlineKeyboardMarkup(inline_keyboard=[
        [_button(tr("btn-share-skip-name"), action="skip")], _cancel(tr)])


def ask_level(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_button(tr(f"btn-share-level-{level.value}"), action="level", value=level.value)]
            for level in ShareLevel]
    return tr("share-ask-level"), InlineKeyboardMarkup(inline_keyboard=[*rows, _cancel(tr)])


def ask_lifetime(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    row = [_button(tr("btn-share-days-default" if days == DEFAULT_LIFETIME_DAYS else "btn-share-days", days=days),
                   action="days", value=str(days)) for days in LIFETIMES_DAYS]
    return tr("share-ask-lifetime"), InlineKeyboardMarkup(inline_keyboard=[row, _cancel(tr)])


def employer_label(tr: Tr, share: StoredShare) -> str:
    kind = "inn" if len(share.employer_id) in (10, 12) else "ogrn"
    label = tr(f"share-employer-{kind}", id=share.employer_id)
    return f"{html.quote(share.employer_name)} ({label})" if share.employer_name else label


def created(tr: Tr, made: CreatedShare, tz: ZoneInfo) -> tuple[str, str, InlineKeyboardMarkup]:
    """The caption of the QR picture (ready to forward to the employer), and the holder's own note."""
    share = made.line.share
    caption = tr("share-link-caption", number=made.line.book_number, url=made.url,
                 until=fmt_date(share.expires_at, tr, tz), level=tr(f"share-level-{share.level.value}"))
    note = tr("share-created", employer=employer_label(tr, share))
    return caption, note, InlineKeyboardMarkup(inline_keyboard=[
        [_button(tr("btn-share-links"), action="list")],
        [InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())]])


def line_text(tr: Tr, line: ShareLine, tz: ZoneInfo) -> str:
    share = line.share
    return tr("share-line", mark=STATE_MARK[line.state], employer=employer_label(tr, share),
              number=line.book_number, level=tr(f"share-level-{share.level.value}"),
              until=fmt_date(share.expires_at, tr, tz), state=tr(f"share-state-{line.state.value}"))


def listing(tr: Tr, lines: list[ShareLine], tz: ZoneInfo, book_id: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    """'My links': each share with its employer, level, expiry and state; a revoke button for each that still
    works (one tap, then a confirmation)."""
    if not lines:
        text = tr("share-list-empty")
    else:
        text = "\n\n".join([tr("share-list-title"), *(line_text(tr, line, tz) for line in lines)])
    rows = []
    for line in lines:
        if line.state not in (ShareState.REVOKED, ShareState.EXPIRED):  # a dead link has nothing to revoke
            name = line.share.employer_name or line.share.employer_id
            rows.append([_button(tr("btn-share-revoke", employer=name[:40]), action="revoke", share=line.share.id)])
    if book_id:
        rows.append([InlineKeyboardButton(text=tr("btn-book-to-card"),
                                          callback_data=MyBookCb(action="show", book=book_id).pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def revoke_ask(tr: Tr, line: ShareLine, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    return tr("share-revoke-ask", line=line_text(tr, line, tz)), InlineKeyboardMarkup(inline_keyboard=[[
        _button(tr("btn-share-revoke-yes"), action="revoke_yes", share=line.share.id),
        _button(tr("btn-share-revoke-no"), action="list")]])


def delivered_push(tr: Tr, line: ShareLine, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    share = line.share
    text = tr("push-share-delivered", employer=employer_label(tr, share), number=line.book_number,
              at=fmt_date(share.delivered_at, tr, tz))
    return text, InlineKeyboardMarkup(inline_keyboard=[[_button(tr("btn-share-links"), action="list")]])
