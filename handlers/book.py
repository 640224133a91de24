"""'My EMK': the card of each of a holder's books with 'Download PDF' / 'Download CSV' / 'Check', and
'Check' for anyone by a book number."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import MenuCb, MyBookCb
from domain.book import EntryFilter, EntryGroup
from fsm.states import BookFlow
from services import Services
from storage.users import User
from views import book as views
from views import elmk as elmk_views
from views.book_files import book_csv, book_pdf, card_png, holder_label
from views.files import download_or_explain
from views.ui import reply_or_edit

router = Router(name="book")


async def _show(query: CallbackQuery, tr: Tr, user: User, services: Services, book_id: int | None) -> None:
    opened = await services.book.open(user.telegram_id, book_id)
    if opened is None or query.message is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    others = [(s.id, holder_label(c.book)) for s, c in await services.book.books_of(user.telegram_id)
              if s.id != opened.id and c.book is not None]
    png = await asyncio.to_thread(card_png, opened.book, opened.photo, opened.check_url, tr)
    await query.message.answer_photo(
        BufferedInputFile(png, filename=f"{opened.book.number}.png"), caption=views.card_caption(tr, opened),
        reply_markup=views.card_keyboard(tr, opened, others),
    )


@router.callback_query(MenuCb.filter(F.item == "mybook"))
async def on_my_book(query: CallbackQuery, tr: Tr, user: User, services: Services) -> None:
    added = await services.elmk.list_for(user.telegram_id)  # the official ELMK the holder added, listed first
    if added:
        if not await services.book.books_of(user.telegram_id):
            await query.answer()
            await reply_or_edit(query, *elmk_views.listing(tr, added))
            return
        if isinstance(query.message, Message):
            text, keyboard = elmk_views.listing(tr, added)
            await query.message.answer(text, reply_markup=keyboard)
    await _show(query, tr, user, services, None)


@router.callback_query(MyBookCb.filter(F.action == "show"))
async def on_show(query: CallbackQuery, callback_data: MyBookCb, tr: Tr, user: User, services: Services) -> None:
    await _show(query, tr, user, services, callback_data.book)


@router.callback_query(MyBookCb.filter(F.action == "entries"))
async def on_entries(query: CallbackQuery, callback_data: MyBookCb, tr: Tr, user: User, services: Services) -> None:
    """'Entries' and each filter button: the list re-drawn in place."""
    group = callback_data.group or None
    if group is not None and group not in set(EntryGroup):
        await query.answer(tr("hint-button-expired"))
        return
    chosen = EntryFilter(callback_data.recent, EntryGroup(group) if group else None, callback_data.place)
    listing = await services.book.entry_list(user.telegram_id, callback_data.book, chosen)
    if listing is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    await reply_or_edit(query, *views.entry_list(tr, listing))


@router.callback_query(MyBookCb.filter(F.action.in_({"pdf", "csv"})))
async def on_file(query: CallbackQuery, callback_data: MyBookCb, tr: Tr, user: User, services: Services) -> None:
    opened = await services.book.open(user.telegram_id, callback_data.book)
    if opened is None or query.message is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    if callback_data.action == "pdf":
        data = await asyncio.to_thread(book_pdf, opened.book, opened.photo, opened.check_url, tr)
    else:
        data = await asyncio.to_thread(book_csv, opened.book, tr)
    name = f"{opened.book.number}.{callback_data.action}"
    await query.message.answer_document(BufferedInputFile(data, filename=name))


@router.callback_query(MenuCb.filter(F.item == "checkbook"))
async def on_check(query: CallbackQuery, tr: Tr, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(BookFlow.check)
    await reply_or_edit(query, tr("book-check-ask"))


@router.message(BookFlow.check, F.photo | F.document)
async def on_check_photo(message: Message, bot: Bot, tr: Tr, user: User, state: FSMContext,
                         services: Services) -> None:
    data = await download_or_explain(message, bot, tr, "hint-book-check")
    if data is None:
        return
    check = await services.book.check_by_photo(data, user.telegram_id)
    if check is None:
        await message.answer(tr("book-check-no-qr"))
        return
    await state.clear()
    await message.answer(views.check_text(tr, check))


@router.message(BookFlow.check, F.text)
async def on_check_number(message: Message, tr: Tr, state: FSMContext, services: Services) -> None:
    check = await services.book.check_by_number(message.text or "")
    await state.clear()
    await message.answer(views.check_text(tr, check))
