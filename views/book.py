"""«Моя ЭМК» in the chat: the card's caption and buttons, the list of a holder's books, and what
«Проверить» answers. The pictures and files themselves come from views/book_files.py."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import MenuCb, MyBookCb
from domain.book import BookCheck, CheckOutcome, surname_initials
from services.book import OpenBook
from views.book_files import full_name, item_title
from views.ui import fmt_date


def card_caption(tr: Tr, opened: OpenBook) -> str:
    book = opened.book
    until = book.valid_until()
    lines = [f"<b>{html.quote(full_name(book))}</b>", tr("web-check-number", number=book.number),
             tr("book-valid-until", date=fmt_date(until, tr)) if until else tr("book-valid-until-none")]
    if opened.check.outcome is CheckOutcome.REVOKED:
        lines.insert(0, tr("book-status-revoked-reason", reason=html.quote(book.revoked_reason or "—")))
    lines.append(tr("book-valid-until-meaning"))
    return "\n".join(lines)


def card_keyboard(tr: Tr, opened: OpenBook, others: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text=tr("btn-book-pdf"), callback_data=MyBookCb(action="pdf", book=opened.id).pack()),
         InlineKeyboardButton(text=tr("btn-book-csv"), callback_data=MyBookCb(action="csv", book=opened.id).pack())],
        [InlineKeyboardButton(text=tr("btn-book-check"), url=opened.check_url)],
    ]
    for book_id, label in others:  # a holder's other books (their children's): switch with one press
        rows.append([InlineKeyboardButton(text=label, callback_data=MyBookCb(action="show", book=book_id).pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def check_text(tr: Tr, check: BookCheck) -> str:
    """«Проверить»: the verdict, what the book holds, which required entries are missing or ran out."""
    verdict = {
        CheckOutcome.VALID: "web-check-valid", CheckOutcome.REVOKED: "web-check-revoked",
        CheckOutcome.NOT_FOUND: "web-check-not-found", CheckOutcome.BAD_SIGNATURE: "web-check-bad-signature",
    }[check.outcome]
    lines = [tr(verdict)]
    book = check.book
    if book is None:
        return "\n".join(lines)
    until = book.valid_until()
    holder = html.quote(surname_initials(book.surname, book.name, book.patronymic))
    lines += [tr("web-check-number", number=book.number), holder,
              tr("book-valid-until", date=fmt_date(until, tr)) if until else tr("book-valid-until-none"), ""]
    for code in book.required:
        entry = check.required.get(code)
        title = html.quote(item_title(tr, code, entry))
        if entry is None:
            state = tr("web-check-entry-missing")
        elif code in check.expired:
            state = tr("web-check-entry-expired", date=fmt_date(entry.valid_until, tr))
        elif entry.valid_until is None:
            state = tr("web-check-entry-no-term")
        else:
            state = tr("web-check-entry-until", date=fmt_date(entry.valid_until, tr))
        mark = "❌" if entry is None or code in check.expired else "✅"
        lines.append(f"{mark} {title}: {state}")
    if check.outcome is CheckOutcome.VALID and not check.complete:
        lines.append(tr("web-check-incomplete"))
    return "\n".join(lines)
