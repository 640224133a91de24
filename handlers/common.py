"""Commands that work in every state: /cancel first, then /help and /language."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr, Translator
from bot.keyboards import LangCb, MenuCb, back_to_menu, language_keyboard
from services import Services
from storage.users import User
from views.menu import menu_view
from views.ui import reply_or_edit

router = Router(name="common")


@router.message(Command("cancel"))
async def on_cancel(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    current = await state.get_state()
    await state.set_state(None)
    await message.answer(tr("cancel-done") if current else tr("cancel-nothing"))
    text, kb = menu_view(tr, await services.accounts.menu(user))
    await message.answer(text, reply_markup=kb)


@router.message(Command("help"))
async def on_help(message: Message, tr: Tr) -> None:
    await reply_or_edit(message, tr("help-text"), back_to_menu(tr))


@router.callback_query(MenuCb.filter(F.item == "help"))
async def on_help_button(query: CallbackQuery, tr: Tr) -> None:
    await query.answer()
    await reply_or_edit(query, tr("help-text"), back_to_menu(tr))


@router.message(Command("language"))
async def on_language(message: Message, tr: Tr) -> None:
    await message.answer(tr("language-choose"), reply_markup=language_keyboard(tr))


@router.callback_query(MenuCb.filter(F.item == "language"))
async def on_language_button(query: CallbackQuery, tr: Tr) -> None:
    await query.answer()
    await reply_or_edit(query, tr("language-choose"), language_keyboard(tr))


@router.callback_query(LangCb.filter())
async def on_language_chosen(
    query: CallbackQuery, callback_data: LangCb, user: User, translator: Translator, state: FSMContext,
    services: Services,
) -> None:
    if callback_data.code not in translator.bundles:
        await query.answer()
        return
    user = await services.accounts.set_locale(user, callback_data.code)
    tr = translator.bind(callback_data.code)
    await query.answer(tr("language-set"))
    await reply_or_edit(query, tr("language-set"))
    if await state.get_state() is None:
        text, kb = menu_view(tr, await services.accounts.menu(user))
        await reply_or_edit(query, text, kb, new=True)
