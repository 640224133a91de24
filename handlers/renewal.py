"""«Renew»: from a book's card or a reminder's button to a renewal application that asks only what changed.

Every step here is a button (RenewCb); the items of 'What changed?' reopen the wizard's own steps, answered
by the wizard's handlers (handlers/apply.py, handlers/uploads.py), which come back here when they are done.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import RenewCb
from fsm.states import Renewal
from services import Services
from services.renewal import CHANGES, Refused
from storage.users import User
from views import renewal as views
from views.menu import menu_view
from views.screens import present
from views.ui import reply_or_edit

router = Router(name="renewal")


@router.callback_query(RenewCb.filter(F.action == "start"))
async def on_start(query: CallbackQuery, callback_data: RenewCb, tr: Tr, user: User, state: FSMContext,
                   services: Services) -> None:
    await query.answer()
    if not user.has_consent:
        await reply_or_edit(query, tr("error-need-consent"), new=True)
        return
    started = await services.renewal.start(user.telegram_id, callback_data.book, state)
    if isinstance(started, Refused):
        await reply_or_edit(query, *views.refused(tr, started), new=True)
        return
    # A new message: the card (a photo) or the reminder stays as it is.
    await present(query.message if isinstance(query.message, Message) else query, tr, services.wizard.policy,
                  started)


@router.callback_query(StateFilter(Renewal.changes), RenewCb.filter(F.action.in_(set(CHANGES))))
async def on_change(query: CallbackQuery, callback_data: RenewCb, tr: Tr, user: User, state: FSMContext,
                    services: Services) -> None:
    screen = await services.renewal.change(user.telegram_id, state, callback_data.action)
    await query.answer(tr("hint-button-expired") if screen is None else None)
    if screen is not None:
        await present(query, tr, services.wizard.policy, screen)


@router.callback_query(StateFilter(Renewal.changes), RenewCb.filter(F.action == "next"))
async def on_next(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    found = await services.renewal.entries(user.telegram_id, state)
    await query.answer(tr("hint-button-expired") if found is None else None)
    if found is not None:
        await reply_or_edit(query, *views.entries(tr, found))


@router.callback_query(StateFilter(Renewal.entries), RenewCb.filter(F.action.in_({"back", "summary"})))
async def on_from_entries(query: CallbackQuery, callback_data: RenewCb, tr: Tr, user: User, state: FSMContext,
                          services: Services) -> None:
    """From the entries: back to 'What changed?', or on to what is unsettled and the summary."""
    renewal = services.renewal
    go = renewal.back_to_changes if callback_data.action == "back" else renewal.to_summary
    screen = await go(user.telegram_id, state)
    await query.answer(tr("hint-button-expired") if screen is None else None)
    if screen is not None:
        await present(query, tr, services.wizard.policy, screen)


@router.callback_query(StateFilter(Renewal), RenewCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.renewal.leave(state)
    text, kb = menu_view(tr, await services.accounts.menu(user))
    await reply_or_edit(query, tr("renew-cancelled") + "\n\n" + text, kb)
