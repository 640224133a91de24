"""The citizen after the summary: sign and send, "My applications" with each timeline, and sending the
documents staff asked for (which returns the application to 'in review')."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.i18n import Tr, Translator
from bot.keyboards import MenuCb, ReviewCb
from fsm.states import Apply, Review
from services import Services
from storage.applications import Conflict
from storage.users import User
from views import review as views
from views.files import download_or_explain, rejection, sent_file
from views.screens import present
from views.ui import reply_or_edit
from views.wizard import category_titles, summary_text

router = Router(name="review")


# --- sign and send -----------------------------------------------------------------------------------------


@router.callback_query(StateFilter(Apply.summary), ReviewCb.filter(F.action == "sign"))
async def on_sign(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    profile = await services.wizard.ready_to_sign(user.telegram_id, state)
    if profile is None:
        return
    await state.set_state(Review.confirm_sign)
    await reply_or_edit(query, *views.sign_screen(tr, profile.draft.full_name()))


@router.callback_query(StateFilter(Review.confirm_sign), ReviewCb.filter(F.action == "summary"))
async def on_back_to_summary(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    profile = await services.wizard.profile(user.telegram_id, state)
    if profile is not None:
        await present(query, tr, services.wizard.policy,
                      await services.wizard.summary(user.telegram_id, state, profile.draft))


@router.callback_query(StateFilter(Review.confirm_sign), ReviewCb.filter(F.action == "sign_confirm"))
async def on_sign_confirm(
    query: CallbackQuery, tr: Tr, user: User, state: FSMContext, translator: Translator, services: Services
) -> None:
    profile = await services.wizard.ready_to_sign(user.telegram_id, state)
    if profile is None:
        await query.answer(tr("hint-button-expired"))
        return
    waiting = await services.exams.ready_to_submit(profile)  # the policy's exams.before_submit
    if waiting:
        await query.answer(tr("review-exams-first", count=len(waiting)), show_alert=True)
        return
    await query.answer()
    policy, ctx = services.wizard.policy, services.wizard.ctx
    summaries = {}
    for code in translator.bundles:  # staff read the summary in their language
        other = translator.bind(code)
        summaries[code] = summary_text(other, profile.draft, ctx, category_titles(policy, other))
    done = await services.applications.submit(user.telegram_id, profile, summaries, state)
    await reply_or_edit(query, views.submitted_text(tr, done.app.number, policy),
                        views.mine_keyboard(tr, book=services.booking.available, exams=True))


# --- 'My applications' ------------------------------------------------------------------------------------------


@router.callback_query(MenuCb.filter(F.item == "mine"))
async def on_mine(query: CallbackQuery, tr: Tr, user: User, services: Services) -> None:
    await query.answer()
    await reply_or_edit(query, *views.mine(tr, await services.applications.list_for(user.telegram_id)))


@router.callback_query(ReviewCb.filter(F.action == "open"))
async def on_open(
    query: CallbackQuery, callback_data: ReviewCb, tr: Tr, user: User, services: Services
) -> None:
    await query.answer()
    found = await services.applications.timeline(user.telegram_id, callback_data.app)
    if found is not None:
        await reply_or_edit(query, *views.timeline(tr, *found, services.tz))


# --- the documents staff asked for --------------------------------------------------------------------------


@router.callback_query(ReviewCb.filter(F.action == "upload"))
async def on_upload_requested(
    query: CallbackQuery, callback_data: ReviewCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    app = await services.requests.start(user.telegram_id, callback_data.app, state, Review.uploading)
    if app is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    text, keyboard = views.upload_prompt(tr, app, 0, 0)
    await reply_or_edit(query, text, keyboard, new=True)


@router.message(StateFilter(Review.uploading), F.photo | F.document)
async def on_requested_file(
    message: Message, bot: Bot, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    wanted = await services.requests.wanted_now(user.telegram_id, state)
    if wanted is None:
        return
    retry = "apply-photo-retry" if wanted.kind == "photo" else "apply-scan-retry"
    data = await download_or_explain(message, bot, tr, retry)
    if data is None:
        return
    received = await services.requests.receive(user.telegram_id, state, wanted, data, sent_file(message))
    if received.upload is None:
        await message.answer(rejection(tr, received.issues, retry))
        return
    if received.portrait is not None and received.portrait.jpeg is not None:
        await message.answer_photo(BufferedInputFile(received.portrait.jpeg, "photo_3x4.jpg"),
                                   caption=tr("review-photo-ok"))
    text, keyboard = views.upload_prompt(tr, wanted.app, wanted.index, wanted.sent_here + 1)
    await message.answer(tr("apply-scan-accepted") + "\n\n" + text, reply_markup=keyboard)


@router.callback_query(StateFilter(Review.uploading), ReviewCb.filter(F.action == "next"))
async def on_requested_next(
    query: CallbackQuery, callback_data: ReviewCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    step = await services.requests.next(user.telegram_id, state, callback_data.app)
    if step is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    if isinstance(step, Conflict):
        await reply_or_edit(query, tr("hint-button-expired"))
    elif step.done:
        await reply_or_edit(query, tr("review-documents-sent", number=step.app.number), views.mine_keyboard(tr))
    else:
        await reply_or_edit(query, *views.upload_prompt(tr, step.app, step.index, 0))
