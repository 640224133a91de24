"""'My EMK' in the chat: the card's caption and buttons, the list of a holder's books, and what
'Check' answers. The pictures and files themselves come from views/book_files.py."""

from __future__ import annotations

from dataclasses import replace

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import MenuCb, MyBookCb, RenewCb
from domain.book import BookCheck, CheckOutcome, EntryFilter, EntryGroup, surname_initials
from services.book import EntryList, OpenBook
from views.book_files import entry_result, entry_title, full_name, item_title, status_line, verdict
from views.ui import fmt_date


def card_caption(tr: Tr, opened: OpenBook) -> str:
    book = opened.book
    until = book.valid_until()
    lines = [f"<b>{html.quote(full_name(book))}</b>", tr("web-check-number", number=book.number),
             tr("book-valid-until", date=fmt_date(until, tr)) if until else tr("book-valid-until-none")]
    status = status_line(tr, book)
    if status is not None:
        lines.insert(0, html.quote(status))
    lines.append(tr("book-valid-until-meaning"))
    return "\n".join(lines)


def card_keyboard(tr: Tr, opened: OpenBook, others: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text=tr("btn-book-pdf"), callback_data=MyBookCb(action="pdf", book=opened.id).pack()),
         InlineKeyboardButton(text=tr("btn-book-csv"), callback_data=MyBookCb(action="csv", book=opened.id).pack())],
        [InlineKeyboardButton(text=tr("btn-book-entries"), callback_data=_entries_cb(opened.id, EntryFilter())),
         InlineKeyboardButton(text=tr("btn-book-check"), url=opened.check_url)],
    ]
    if opened.check.outcome is CheckOutcome.VALID:  # only a valid book is renewed (not a revoked or replaced one)
        rows.append([InlineKeyboardButton(text=tr("btn-renew"),
                                          callback_data=RenewCb(action="start", book=opened.id).pack())])
    share = [InlineKeyboardButton(text=tr("btn-share-links"),
                                  callback_data=MyBookCb(action="links", book=opened.id).pack())]
    if opened.check.outcome is CheckOutcome.VALID:  # a revoked or replaced book is shared with no one
        share.insert(0, InlineKeyboardButton(text=tr("btn-share"),
                                             callback_data=MyBookCb(action="share", book=opened.id).pack()))
    rows.append(share)
    for book_id, label in others:  # a holder's other books (their children's): switch with one press
        rows.append([InlineKeyboardButton(text=label, callback_data=MyBookCb(action="show", book=book_id).pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def check_text(tr: Tr, check: BookCheck) -> str:
    """'Check': the verdict, what the book holds, which required entries are missing or ran out."""
    lines = [html.quote(verdict(tr, check))]
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


# --- 'Entries': the entries with filters ---------------------------------------------------------------------

MAX_LISTED = 30  # a message holds 4096 characters: the newest entries, and how many more there are
PLACE_LABEL = 40  # an institution's button shows this many characters at most


def _entries_cb(book_id: int, chosen: EntryFilter) -> str:
    return MyBookCb(action="entries", book=book_id, recent=chosen.recent,
                    group=chosen.group.value if chosen.group else "", place=chosen.institution).pack()


def _option(text: str, on: bool, book_id: int, chosen: EntryFilter) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=("✅ " if on else "") + text, callback_data=_entries_cb(book_id, chosen))


def entry_list(tr: Tr, listing: EntryList) -> tuple[str, InlineKeyboardMarkup]:
    """The entries the filters let through, newest first, and the filters as buttons that re-draw the list."""
    chosen, book_id = listing.chosen, listing.book_id
    lines = [f"<b>{tr('book-entries-title')}</b> · {listing.book.number}"]
    for entry in listing.entries[:MAX_LISTED]:
        parts = [fmt_date(entry.done_on, tr), html.quote(entry_title(tr, entry))]
        if entry.result:
            parts.append(html.quote(entry_result(tr, entry)))
        if entry.institution:
            parts.append(html.quote(entry.institution))
        line = " · ".join(parts)
        if entry.valid_until is not None:
            line += " — " + tr("web-check-entry-until", date=fmt_date(entry.valid_until, tr))
        if entry.source == "holder_reported":
            line += f" ({tr('book-source-holder')})"
        lines.append("• " + line)
    if len(listing.entries) > MAX_LISTED:
        lines.append(tr("book-entries-more", count=len(listing.entries) - MAX_LISTED))
    if not listing.entries:
        lines.append(tr("book-entries-none"))
    lines.append(tr("book-organisation-record"))

    rows = [
        [_option(tr("btn-book-period-recent"), chosen.recent, book_id, replace(chosen, recent=True)),
         _option(tr("btn-book-period-all"), not chosen.recent, book_id, replace(chosen, recent=False))],
        [_option(tr("btn-book-type-all"), chosen.group is None, book_id, replace(chosen, group=None))]
        + [_option(tr(f"btn-book-type-{g.value}"), chosen.group is g, book_id, replace(chosen, group=g))
           for g in EntryGroup],
    ]
    if len(listing.institutions) > 1:
        rows.append([_option(tr("btn-book-place-all"), chosen.institution == 0, book_id,
                             replace(chosen, institution=0))])
        for n, place in enumerate(listing.institutions, start=1):
            label = place if len(place) <= PLACE_LABEL else place[:PLACE_LABEL - 1] + "…"
            rows.append([_option(label, chosen.institution == n, book_id, replace(chosen, institution=n))])
    rows.append([InlineKeyboardButton(text=tr("btn-book-to-card"),
                                      callback_data=MyBookCb(action="show", book=book_id).pack())])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)
