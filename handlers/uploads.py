"""The photo 3×4 step and the document-scan steps (steps 6 and 8).

A photo or file is sized up before download (Telegram serves at most 20 MB), downloaded, then checked and
stored by services/uploads.py (the checks run in the media worker process): every problem is explained in
the person's language. The corrected photo is shown for "use it" / "take another"; scans are listed, each
removable, until 'Done' and the legibility confirmation.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Tr
from bot.keyboards import UploadCb
from fsm.states import Apply
from fsm.steps import STEPS
from services import Services
from storage.users import User
from views import wizard as views
from views.files import download_or_explain, rejection, sent_file
from views.screens import present
from views.ui import reply_or_edit

router = Router(name="uploads")

DOC_STATES = [s.state for s in STEPS if s.kind == "upload"]


# --- photo 3×4 --------------------------------------------------------------------------------------------


@router.message(StateFilter(Apply.photo), F.photo | F.document)
async def on_photo(message: Message, bot: Bot, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    profile = await services.wizard.profile(user.telegram_id, state)
    if profile is None:
        return
    data = await download_or_explain(message, bot, tr, "apply-photo-retry")
    if data is None:
        return
    received = await services.uploads.pending_photo(user.telegram_id, profile.id, data, sent_file(message), state)
    result = received.portrait
    if received.upload is None or result is None or result.jpeg is None:
        await message.answer(rejection(tr, received.issues, "apply-photo-retry"))
        return
    caption = tr("apply-photo-result")
    if result.issues:  # the notes first, then a result that does not contradict them
        caption = views.issues_text(tr, result.issues) + "\n\n" + tr("apply-photo-result-warned")
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=tr("btn-photo-use"), callback_data=UploadCb(action="use_photo").pack()),
        InlineKeyboardButton(text=tr("btn-photo-retake"), callback_data=UploadCb(action="retake").pack()),
    ]])
    await message.answer_photo(BufferedInputFile(result.jpeg, "photo_3x4.jpg"), caption=caption,
                               reply_markup=keyboard)


@router.callback_query(StateFilter(Apply.photo_confirm), UploadCb.filter(F.action.in_({"use_photo", "retake"})))
async def on_photo_decision(
    query: CallbackQuery, callback_data: UploadCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    await query.answer()
    screen = await services.uploads.decide_photo(user.telegram_id, state, use=callback_data.action == "use_photo")
    if screen is not None:
        if isinstance(query.message, Message):
            try:
                await query.message.edit_reply_markup(reply_markup=None)
            except TelegramBadRequest:
                pass
        prefix = tr("apply-photo-saved") if callback_data.action == "use_photo" else tr("apply-photo-send-another")
        await present(query, tr, services.wizard.policy, screen, prefix)


# --- document scans -----------------------------------------------------------------------------------------


@router.message(StateFilter(*DOC_STATES), F.photo | F.document)
async def on_scan(message: Message, bot: Bot, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    if await services.wizard.profile(user.telegram_id, state) is None:
        return
    full = await services.uploads.step_full(user.telegram_id, state)
    if full is not None:  # told before the download, not after
        await message.answer(tr("apply-scan-limit", limit=full))
        return
    data = await download_or_explain(message, bot, tr, "apply-scan-retry")
    if data is None:
        return
    received, screen = await services.uploads.step_scan(user.telegram_id, state, data, sent_file(message))
    if received.full is not None:
        await message.answer(tr("apply-scan-limit", limit=received.full))
        return
    if received.duplicate:
        await message.answer(tr("apply-scan-duplicate"))
        return
    if screen is None:
        await message.answer(rejection(tr, received.issues, "apply-scan-retry"))
        return
    note = tr("apply-scan-accepted")
    if received.issues:
        note += "\n" + views.issues_text(tr, received.issues)
    await present(message, tr, services.wizard.policy, screen, note)


@router.callback_query(StateFilter(*DOC_STATES), UploadCb.filter(F.action == "remove"))
async def on_remove(
    query: CallbackQuery, callback_data: UploadCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    screen = await services.uploads.remove_from_step(user.telegram_id, state, callback_data.step,
                                                     int(callback_data.value))
    await query.answer(tr("hint-button-expired") if screen is None else tr("apply-scan-removed"))
    if screen is not None:
        await present(query, tr, services.wizard.policy, screen)


@router.callback_query(StateFilter(*DOC_STATES), UploadCb.filter(F.action == "done"))
async def on_done(
    query: CallbackQuery, callback_data: UploadCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    done = await services.uploads.step_done(user.telegram_id, state, callback_data.step)
    if done is None:
        await query.answer(tr("hint-button-expired"))
        return
    if not done:
        await query.answer(tr("apply-scan-none-yet"), show_alert=True)
        return
    await query.answer()
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=tr("btn-scan-legible"), callback_data=UploadCb(action="legible").pack())],
        [InlineKeyboardButton(text=tr("btn-scan-reupload"), callback_data=UploadCb(action="reupload").pack())],
    ])
    await reply_or_edit(query, tr("apply-scan-confirm-legible"), keyboard)


@router.callback_query(StateFilter(Apply.doc_confirm), UploadCb.filter(F.action.in_({"legible", "reupload"})))
async def on_legible(
    query: CallbackQuery, callback_data: UploadCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    await query.answer()
    screen = await services.uploads.confirm_legible(user.telegram_id, state, callback_data.action == "legible")
    if screen is not None:
        await present(query, tr, services.wizard.policy, screen)
