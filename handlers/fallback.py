"""The catch-all, registered last: any message or button the current state does not expect gets a short,
translated hint about what is expected. Nothing is cleared, so nothing entered is lost."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from fsm.states import hint_for
from services import Services
from storage.users import User
from views.menu import menu_view

router = Router(name="fallback")


@router.message(F.chat.type == "private")  # in the staff group, what is not for the bot gets no answer
async def on_unexpected_message(
    message: Message, tr: Tr, user: User | None, state: FSMContext, services: Services
) -> None:
    current = await state.get_state()
    if current is None:
        text, kb = menu_view(tr, await services.accounts.menu(user))
        await message.answer(tr("hint-idle"))
        await message.answer(text, reply_markup=kb)
        return
    await message.answer(tr(hint_for(current)))


@router.callback_query()
async def on_unexpected_button(query: CallbackQuery, tr: Tr) -> None:
    await query.answer(tr("hint-button-expired"), show_alert=False)
