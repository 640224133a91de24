"""Commands that work in every state: /cancel first, then /help and /language."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr, Translator
from bot.keyboards import LangCb, MenuCb, back_to_menu, language_keyboard
from handlers.menu import MenuSource, menu_view
from handlers.ui import reply_or_edit
from storage.users import User, UserRepository

router = Router(name="common")
# The citizen's side lives in private chats; in the staff group only the staff router answers.
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


@router.message(Command("cancel"))
async def on_cancel(
    message: Message, tr: Tr, user: User, state: FSMContext, menu: MenuSource
) -> None:
    current = await state.get_state()
    await state.set_state(None)
    await message.answer(tr("cancel-done") if current else tr("cancel-nothing"))
    text, kb = await menu_view(tr, user, menu)
    await message.answer(text, reply_markup=kb)


@router.message(Command("help"))
async def on_help(message: Message, tr: Tr) -> None:
    await message.answer(tr("help-text"), reply_markup=back_to_menu(tr))


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
    query: CallbackQuery,
    callback_data: LangCb,
    user: User,
    users: UserRepository,
    translator: Translator,
    state: FSMContext,
    menu: MenuSource,
) -> None:
    if callback_data.code not in translator.bundles:
        await query.answer()
        return
    user = await users.set_locale(user.telegram_id, callback_data.code)
    tr = translator.bind(callback_data.code)
    await query.answer(tr("language-set"))
    await reply_or_edit(query, tr("language-set"))
    if await state.get_state() is None:
        text, kb = await menu_view(tr, user, menu)
        await reply_or_edit(query, text, kb, new=True)
