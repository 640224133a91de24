"""'Share' on a book's card: the employer's INN/OGRN → its name (or 'Skip') → the level → the lifetime → the
link and its QR, ready to forward. 'My links': every share with its state, revoked in one tap after a
confirmation. 'Cancel' on every question."""

from __future__ import annotations

import asyncio

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import MyBookCb, ShareCb
from fsm.states import ShareFlow
from services import Services
from storage.users import User
from views import sharing as views
from views.book_files import qr_png
from views.ui import reply_or_edit

router = Router(name="sharing")


@router.callback_query(MyBookCb.filter(F.action == "share"))
async def on_share(query: CallbackQuery, callback_data: MyBookCb, tr: Tr, user: User, state: FSMContext,
                   services: Services) -> None:
    refusal = await services.sharing.begin(state, user.telegram_id, callback_data.book)
    if refusal is not None:
        await query.answer(tr(f"share-refused-{refusal}"), show_alert=True)
        return
    await query.answer()
    await reply_or_edit(query, *views.ask_employer(tr), new=True)


@router.callback_query(ShareCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.sharing.leave(state)
    await reply_or_edit(query, tr("share-cancelled"))


@router.message(StateFilter(ShareFlow.employer), F.text)
async def on_employer(message: Message, tr: Tr, state: FSMContext, services: Services) -> None:
    issues = await services.sharing.answer_employer(state, message.text or "")
    if issues:
        await message.answer(views.employer_refused(tr, issues))
        return
    text, keyboard = views.ask_name(tr)
    await message.answer(text, reply_markup=keyboard)


@router.message(StateFilter(ShareFlow.name), F.text)
async def on_name(message: Message, tr: Tr, state: FSMContext, services: Services) -> None:
    await services.sharing.answer_name(state, message.text)
    text, keyboard = views.ask_level(tr)
    await message.answer(text, reply_markup=keyboard)


@router.callback_query(StateFilter(ShareFlow.name), ShareCb.filter(F.action == "skip"))
async def on_skip_name(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.sharing.answer_name(state, None)
    await reply_or_edit(query, *views.ask_level(tr))


@router.callback_query(StateFilter(ShareFlow.level), ShareCb.filter(F.action == "level"))
async def on_level(query: CallbackQuery, callback_data: ShareCb, tr: Tr, state: FSMContext,
                   services: Services) -> None:
    if not await services.sharing.choose_level(state, callback_data.value):
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    await reply_or_edit(query, *views.ask_lifetime(tr))


@router.callback_query(StateFilter(ShareFlow.lifetime), ShareCb.filter(F.action == "days"))
async def on_days(query: CallbackQuery, callback_data: ShareCb, tr: Tr, user: User, state: FSMContext,
                  services: Services) -> None:
    days = int(callback_data.value) if callback_data.value.isdigit() else 0
    if not isinstance(query.message, Message):  # nowhere to send the link: make none
        await query.answer(tr("hint-button-expired"))
        return
    made = await services.sharing.create(state, user.telegram_id, days)
    if made is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    caption, note, keyboard = views.created(tr, made, services.tz)
    png = await asyncio.to_thread(qr_png, made.url)
    await query.message.answer_photo(BufferedInputFile(png, filename="share-qr.png"), caption=caption)
    await query.message.answer(note, reply_markup=keyboard)


@router.callback_query(MyBookCb.filter(F.action == "links"))
@router.callback_query(ShareCb.filter(F.action == "list"))
async def on_list(query: CallbackQuery, tr: Tr, user: User, services: Services,
                  callback_data: MyBookCb | ShareCb) -> None:
    await query.answer()
    book_id = callback_data.book if isinstance(callback_data, MyBookCb) else 0
    lines = await services.sharing.list_for(user.telegram_id)
    await reply_or_edit(query, *views.listing(tr, lines, services.tz, book_id),
                        new=isinstance(callback_data, MyBookCb))


@router.callback_query(ShareCb.filter(F.action == "revoke"))
async def on_revoke(query: CallbackQuery, callback_data: ShareCb, tr: Tr, user: User, services: Services) -> None:
    line = await services.sharing.line(callback_data.share, user.telegram_id)
    if line is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    await reply_or_edit(query, *views.revoke_ask(tr, line, services.tz))


@router.callback_query(ShareCb.filter(F.action == "revoke_yes"))
async def on_revoke_yes(query: CallbackQuery, callback_data: ShareCb, tr: Tr, user: User,
                        services: Services) -> None:
    done = await services.sharing.revoke(user.telegram_id, callback_data.share)
    await query.answer(tr("share-revoked") if done else tr("hint-button-expired"))
    lines = await services.sharing.list_for(user.telegram_id)
    await reply_or_edit(query, *views.listing(tr, lines, services.tz))
