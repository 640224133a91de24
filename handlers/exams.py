"""'Exams': the checklist, and one result at a time — the file (through the one upload path and its
checks), the date, the institution, the result — then 'on review'. Back, cancel and resume work as in the
wizard: the entry is saved at every answer, the state lives in our database."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import ExamCb, MenuCb
from fsm.states import Exams
from services import Services
from services.exams import Refusal, Step
from storage.users import User
from views import exams as views
from views.files import download_or_explain, rejection, sent_file
from views.ui import reply_or_edit
from views.wizard import issues_text

router = Router(name="exams")


async def _show_list(target: Message | CallbackQuery, tr: Tr, user: User, services: Services,
                     profile_id: int | None, prefix: str = "") -> None:
    exams = services.exams
    if profile_id is None:
        profiles = await exams.profiles_with_category(user.telegram_id)
        if not profiles:
            await reply_or_edit(target, tr("exams-none"), views.profiles_view(tr, [])[1])
            return
        if len(profiles) > 1:
            await reply_or_edit(target, *views.profiles_view(tr, profiles))
            return
        profile_id = profiles[0].id
    found = await exams.checklist(user.telegram_id, profile_id)
    if found is None:
        await reply_or_edit(target, tr("exams-none"))
        return
    text, keyboard = views.checklist_view(tr, found)
    await reply_or_edit(target, (prefix + "\n\n" + text) if prefix else text, keyboard, new=bool(prefix))


async def _ask(target: Message | CallbackQuery, tr: Tr, services: Services, step: Step, prefix: str = "") -> None:
    text, keyboard = views.question(tr, step.state, step.item, step.record.profile_id, services.exams.clinics)
    await reply_or_edit(target, (prefix + "\n\n" + text) if prefix else text, keyboard,
                        new=isinstance(target, Message))


async def _answered(message: Message, tr: Tr, user: User, services: Services, result: Step | Refusal | None) -> None:
    if result is None:
        await message.answer(tr("hint-exams-result"))
        return
    if isinstance(result, Refusal):
        if result.date is not None:
            text = views.date_refused(tr, result.date.problem.value, result.date.ran_out)
        elif result.issues:
            text = issues_text(tr, result.issues)
        else:
            text = tr("exams-text-length")
        await message.answer(text)
        return
    if result.state is None:
        await _show_list(message, tr, user, services, result.record.profile_id,
                         tr("exams-sent", item=views.label(tr, result.item.code)))
        return
    await _ask(message, tr, services, result)


@router.callback_query(MenuCb.filter(F.item == "exams"))
async def on_menu(query: CallbackQuery, tr: Tr, user: User, services: Services) -> None:
    await query.answer()
    await _show_list(query, tr, user, services, None)


@router.callback_query(ExamCb.filter(F.action == "list"))
async def on_list(query: CallbackQuery, callback_data: ExamCb, tr: Tr, user: User, state: FSMContext,
                  services: Services) -> None:
    await query.answer()
    await services.exams.leave(state)
    await _show_list(query, tr, user, services, callback_data.profile)


@router.callback_query(ExamCb.filter(F.action == "item"))
async def on_item(query: CallbackQuery, callback_data: ExamCb, tr: Tr, user: User, state: FSMContext,
                  services: Services) -> None:
    begun = await services.exams.begin(user.telegram_id, callback_data.profile, callback_data.item, state)
    if begun is None:
        await query.answer(tr("exams-item-done"), show_alert=True)
        return
    await query.answer()
    if isinstance(begun, Step):
        await _ask(query, tr, services, begun)
        return
    item = await services.exams.current_item(user.telegram_id, state)
    assert item is not None
    text, keyboard = views.question(tr, begun, item, callback_data.profile)
    await reply_or_edit(query, text, keyboard)


@router.callback_query(StateFilter(Exams), ExamCb.filter(F.action == "back"))
async def on_back(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    step = await services.exams.back(user.telegram_id, state)
    if isinstance(step, Step):
        await _ask(query, tr, services, step)
        return
    data = await state.get_data()
    await _show_list(query, tr, user, services, data.get("profile_id"))


@router.callback_query(ExamCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer(tr("exams-cancelled"))
    await _show_list(query, tr, user, services, await services.exams.leave(state))


@router.message(StateFilter(Exams.upload), F.photo | F.document)
async def on_file(message: Message, bot: Bot, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    data = await download_or_explain(message, bot, tr, "exams-scan-retry")
    if data is None:
        return
    received, step = await services.exams.receive(user.telegram_id, state, data, sent_file(message))
    if step is None:
        await message.answer(rejection(tr, received.issues, "exams-scan-retry"))
        return
    note = tr("exams-file-accepted")
    if received.issues:
        note += "\n" + issues_text(tr, received.issues)
    await _ask(message, tr, services, step, note)


@router.message(StateFilter(Exams.date), F.text)
async def on_date(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await _answered(message, tr, user, services,
                    await services.exams.answer_date(user.telegram_id, state, message.text or ""))


@router.message(StateFilter(Exams.institution), F.text)
async def on_institution(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await _answered(message, tr, user, services,
                    await services.exams.answer_institution(user.telegram_id, state, typed=message.text or ""))


@router.callback_query(StateFilter(Exams.institution), ExamCb.filter(F.action == "clinic"))
async def on_clinic(query: CallbackQuery, callback_data: ExamCb, tr: Tr, user: User, state: FSMContext,
                    services: Services) -> None:
    result = await services.exams.answer_institution(user.telegram_id, state, clinic=callback_data.value)
    await query.answer()
    if isinstance(query.message, Message):
        await _answered(query.message, tr, user, services, result)


@router.message(StateFilter(Exams.result), F.text)
async def on_result_text(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await _answered(message, tr, user, services,
                    await services.exams.answer_result(user.telegram_id, state, message.text or ""))


@router.callback_query(StateFilter(Exams.result), ExamCb.filter(F.action == "result"))
async def on_result_choice(query: CallbackQuery, callback_data: ExamCb, tr: Tr, user: User, state: FSMContext,
                           services: Services) -> None:
    result = await services.exams.answer_result(user.telegram_id, state, callback_data.value)
    await query.answer()
    if isinstance(query.message, Message):
        await _answered(query.message, tr, user, services, result)
