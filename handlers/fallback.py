"""The catch-all, registered last: any message or button the current state does not expect gets a short,
translated hint about what is expected, in one message. Nothing is cleared, so nothing entered is lost.
Hints are throttled per person (bot/middlewares.py, HintThrottle, attached by the composition root)."""

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
        await message.answer(f"{tr('hint-idle')}\n\n{text}", reply_markup=kb)  # one message per message
        return
    await message.answer(tr(hint_for(current)))


@router.callback_query()
async def on_unexpected_button(query: CallbackQuery, tr: Tr) -> None:
    await query.answer(tr("hint-button-expired"), show_alert=False)
