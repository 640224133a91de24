"""The application wizard (steps 1–5 and 7): one generic route per input kind, driven by fsm/steps.py.

A typed answer, a shared contact or a pressed choice goes to services/wizard.py, which checks it by the
rules (domain/wizard.py) and saves the draft with the conversation state before the next screen is shown,
so a restart resumes exactly here.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.i18n import Tr
from bot.keyboards import ApplyCb, MenuCb
from domain.applicant import Relation
from fsm.filters import InStates
from fsm.steps import STEPS
from services import Services
from services.wizard import MAX_PROFILES, Answer
from storage.users import User
from views import wizard as views
from views.menu import menu_view
from views.screens import present
from views.ui import reply_or_edit

router = Router(name="apply")

TEXT_STATES = [s.state for s in STEPS if s.kind == "text"]
CONTACT_STATES = [s.state for s in STEPS if s.kind == "contact"]


async def _answered(target: Message | CallbackQuery, tr: Tr, services: Services, answer: Answer | None) -> None:
    if answer is not None:
        await present(target, tr, services.wizard.policy, answer.screen, views.issues_text(tr, answer.outcome.issues))


@router.callback_query(MenuCb.filter(F.item == "apply"))
async def on_apply(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    if not user.has_consent:
        await reply_or_edit(query, tr("error-need-consent"))
        return
    text, kb = views.profiles_view(tr, await services.wizard.choose_profile(user.telegram_id, state))
    await reply_or_edit(query, text, kb)


@router.callback_query(ApplyCb.filter(F.action == "new"))
async def on_new_profile(
    query: CallbackQuery, callback_data: ApplyCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    await query.answer()
    if not user.has_consent:
        return
    relation = Relation.CHILD if callback_data.value == "child" else Relation.SELF
    screen = await services.wizard.new_profile(user.telegram_id, relation, state)
    if screen is None:
        await reply_or_edit(query, tr("apply-profiles-limit", limit=MAX_PROFILES), new=True)
        return
    await present(query, tr, services.wizard.policy, screen)


@router.callback_query(ApplyCb.filter(F.action == "profile"))
async def on_pick_profile(
    query: CallbackQuery, callback_data: ApplyCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    await query.answer()
    screen = None
    if user.has_consent:
        screen = await services.wizard.open_profile(user.telegram_id, int(callback_data.value), state)
    if screen is None:
        await reply_or_edit(query, tr("hint-button-expired"))
        return
    await present(query, tr, services.wizard.policy, screen)


@router.message(InStates(*TEXT_STATES), F.text)
async def on_text(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    answer = await services.wizard.answer_text(user.telegram_id, state, message.text or "")
    await _answered(message, tr, services, answer)


@router.message(InStates(*CONTACT_STATES), F.contact)
async def on_contact(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    if message.contact is None or message.from_user is None:
        return
    answer = await services.wizard.answer_contact(
        user.telegram_id, state, message.contact.phone_number, message.contact.user_id
    )
    if answer is not None and answer.outcome.ok:
        await message.answer(tr("apply-phone-saved"), reply_markup=ReplyKeyboardRemove())
    await _answered(message, tr, services, answer)


@router.message(InStates(*CONTACT_STATES), F.text)
async def on_typed_phone(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    answer = await services.wizard.answer_typed_phone(user.telegram_id, state, message.text or "")
    if answer is not None and answer.outcome.ok:
        await message.answer(tr("apply-phone-saved-typed"), reply_markup=ReplyKeyboardRemove())
    await _answered(message, tr, services, answer)


@router.callback_query(ApplyCb.filter(F.action == "pick"))
async def on_pick(
    query: CallbackQuery, callback_data: ApplyCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    answer = await services.wizard.answer_choice(user.telegram_id, state, callback_data.step, callback_data.value)
    await query.answer(tr("hint-button-expired") if answer is None else None)
    await _answered(query, tr, services, answer)


@router.callback_query(ApplyCb.filter(F.action.in_({"skip", "keep"})))
async def on_skip_or_keep(
    query: CallbackQuery, callback_data: ApplyCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    found = await services.wizard.at(user.telegram_id, state, callback_data.step)
    await query.answer(tr("hint-button-expired") if found is None else None)
    if found is None:
        return
    screen = await services.wizard.skip_or_keep(user.telegram_id, state, *found, skip=callback_data.action == "skip")
    if screen is not None:
        await present(query, tr, services.wizard.policy, screen)


@router.callback_query(ApplyCb.filter(F.action == "back"))
async def on_back(
    query: CallbackQuery, callback_data: ApplyCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    found = await services.wizard.at(user.telegram_id, state, callback_data.step)
    await query.answer(tr("hint-button-expired") if found is None else None)
    if found is None:
        return
    screen = await services.wizard.back(user.telegram_id, state, *found)
    if screen is None:  # before the first step: whom the application is for
        text, kb = views.profiles_view(tr, await services.wizard.profiles_of(user.telegram_id))
        await reply_or_edit(query, text, kb, new=found[1].kind == "contact")
        return
    await present(query, tr, services.wizard.policy, screen)


@router.callback_query(ApplyCb.filter(F.action == "cancel"))
async def on_cancel(
    query: CallbackQuery, callback_data: ApplyCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    found = await services.wizard.at(user.telegram_id, state, callback_data.step)
    await query.answer(tr("hint-button-expired") if found is None else None)
    if found is None:
        return
    await services.wizard.cancel(state)
    text, kb = menu_view(tr, await services.accounts.menu(user))
    await reply_or_edit(query, tr("apply-cancelled") + "\n\n" + text, kb)


@router.callback_query(ApplyCb.filter(F.action.in_({"edit", "fill"})))
async def on_edit(
    query: CallbackQuery, callback_data: ApplyCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    screen = await services.wizard.edit(user.telegram_id, state, callback_data.step)
    await query.answer(tr("hint-button-expired") if screen is False else None)
    if screen is not None and screen is not False:
        await present(query, tr, services.wizard.policy, screen)
