"""'Add my ELMK': the number, the issue date, the valid-until date, then the PDF or QR photo through the
one upload path; 'Back' and 'Cancel' on every question."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import ElmkCb, MenuCb
from fsm.states import BookFlow
from services import Services
from services.elmk import Refusal
from storage.users import User
from views import elmk as views
from views.files import download_or_explain, rejection, sent_file
from views.ui import reply_or_edit

router = Router(name="elmk")
FLOW = StateFilter(BookFlow.elmk_number, BookFlow.elmk_issued, BookFlow.elmk_until, BookFlow.elmk_file)


async def _next(message: Message, tr: Tr, state: FSMContext, refusal: Refusal | None) -> None:
    if refusal is not None:
        await message.answer(views.refused(tr, refusal))
        return
    text, keyboard = views.question(tr, str(await state.get_state()))
    await message.answer(text, reply_markup=keyboard)


@router.callback_query(MenuCb.filter(F.item == "addelmk"))
async def on_menu(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.elmk.begin(state)
    await reply_or_edit(query, *views.question(tr, str(BookFlow.elmk_number.state)))


@router.callback_query(FLOW, ElmkCb.filter(F.action == "back"))
async def on_back(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await query.answer()
    asked = await services.elmk.back(state)
    await reply_or_edit(query, *(views.question(tr, asked) if asked else (tr("elmk-cancelled"), None)))


@router.callback_query(ElmkCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await query.answer()
    await services.elmk.leave(state)
    await reply_or_edit(query, tr("elmk-cancelled"))


@router.message(StateFilter(BookFlow.elmk_number), F.text)
async def on_number(message: Message, tr: Tr, state: FSMContext, services: Services) -> None:
    await _next(message, tr, state, await services.elmk.answer_number(state, message.text or ""))


@router.message(StateFilter(BookFlow.elmk_issued), F.text)
async def on_issued(message: Message, tr: Tr, state: FSMContext, services: Services) -> None:
    await _next(message, tr, state, await services.elmk.answer_issued(state, message.text or ""))


@router.message(StateFilter(BookFlow.elmk_until), F.text)
async def on_until(message: Message, tr: Tr, state: FSMContext, services: Services) -> None:
    await _next(message, tr, state, await services.elmk.answer_until(state, message.text or ""))


@router.message(StateFilter(BookFlow.elmk_file), F.photo | F.document)
async def on_file(message: Message, bot: Bot, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    data = await download_or_explain(message, bot, tr, "hint-elmk-file")
    if data is None:
        return
    received, added = await services.elmk.receive(user.telegram_id, state, data, sent_file(message))
    if added is None:
        await message.answer(rejection(tr, received.issues, "hint-elmk-file"))
        return
    await message.answer(tr("elmk-saved", line=views.line(tr, added)))
