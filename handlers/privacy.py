"""«My data»: download everything the bot holds about me (a ZIP, after a confirmation), erase it (after showing
what goes and what the law keeps), withdraw consent (then the erasure is offered). Private chat only: the
citizen's routers carry that filter."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.i18n import Tr
from bot.keyboards import MenuCb, PrivacyCb
from fsm.states import MyData
from services import Services
from storage.users import User
from views import privacy as views
from views.menu import menu_view
from views.ui import reply_or_edit

router = Router(name="privacy")


@router.callback_query(MenuCb.filter(F.item == "mydata"))
async def on_menu(query: CallbackQuery, tr: Tr, user: User) -> None:
    await query.answer()
    await reply_or_edit(query, *views.overview(tr, has_consent=user.has_consent))


@router.callback_query(PrivacyCb.filter(F.action == "export"))
async def on_export(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.privacy.ask_export(state)
    await reply_or_edit(query, *views.confirm_export(tr))


@router.callback_query(StateFilter(MyData.confirm_export), PrivacyCb.filter(F.action == "export_yes"))
async def on_export_yes(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer(tr("privacy-export-wait"))
    export = await services.privacy.export(user.telegram_id, state)
    if export.data is None:
        await reply_or_edit(query, views.too_big(tr, export.size))
        return
    await reply_or_edit(query, tr("privacy-export-sent"))
    if query.message is not None:
        await query.message.answer_document(BufferedInputFile(export.data, filename="emk-my-data.zip"),
                                            caption=tr("privacy-export-caption", files=export.files))


@router.callback_query(PrivacyCb.filter(F.action == "erase"))
async def on_erase(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    plan = await services.privacy.preview(user.telegram_id, state)
    await reply_or_edit(query, *views.confirm_erase(tr, plan, services.tz))


@router.callback_query(StateFilter(MyData.confirm_erase), PrivacyCb.filter(F.action == "erase_yes"))
async def on_erase_yes(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    plan = await services.privacy.erase(user.telegram_id, state)
    await reply_or_edit(query, views.erased(tr, plan, services.tz))


@router.callback_query(PrivacyCb.filter(F.action == "withdraw"))
async def on_withdraw(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.privacy.withdraw(user.telegram_id, state)
    await reply_or_edit(query, *views.withdrawn(tr))


@router.callback_query(PrivacyCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.privacy.leave(state)
    text, kb = menu_view(tr, await services.accounts.menu(user))
    await reply_or_edit(query, f"{tr('privacy-cancelled')}\n\n{text}", kb)
