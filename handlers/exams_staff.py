"""Staff on an applicant's exam card: 'File' (to the staff member's private chat), 'Confirm', 'Return'
(the reason is asked like a rejection's: only a reply to the bot's prompt is taken, 'Cancel' cancels, the
prompt expires). Only staff may press; every view and decision is audited (services/exams.py); the cards are
redrawn after the decision commits, and the holder is pushed through the outbox."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.types import User as TgUser

from bot.i18n import Tr, Translator
from bot.keyboards import ExamStaffCb
from domain.status import MAX_COMMENT_LENGTH
from fsm.states import StaffFlow
from services import Services
from storage.exams import ExamRecord
from views import exams as views

router = Router(name="exams_staff")


def _tr(translator: Translator, services: Services) -> Tr:
    return translator.bind(services.staff.locale)


def _name(user: TgUser) -> str:
    return user.full_name or str(user.id)


async def _redraw(bot: Bot, tr: Tr, services: Services, record: ExamRecord, pressed: tuple[int, int] | None) -> None:
    """Every staff card of this applicant's results shows the decision at once (the outbox row does the same
    for chats the sweep reaches later; an unchanged card is no error)."""
    card = await services.exams.staff_card(record.profile_id)
    if card is None:
        return
    text, keyboard = views.staff_card(tr, card)
    places = set((await services.exams.cards(record.profile_id)).items()) | ({pressed} if pressed else set())
    for chat_id, message_id in places:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard)
        except TelegramBadRequest:
            pass  # not modified, or deleted meanwhile


def _where(query: CallbackQuery) -> tuple[int, int] | None:
    return (query.message.chat.id, query.message.message_id) if isinstance(query.message, Message) else None


@router.callback_query(ExamStaffCb.filter())
async def on_press(query: CallbackQuery, callback_data: ExamStaffCb, bot: Bot, state: FSMContext,
                   translator: Translator, services: Services) -> None:
    tr = _tr(translator, services)
    who = query.from_user
    if not services.staff.may_act(who.id):
        await query.answer(tr("staff-not-allowed"), show_alert=True)
        await services.exams.refuse(who.id, callback_data.result)
        return
    action = callback_data.action
    if action == "cancel":
        data = await state.get_data()
        if await state.get_state() != StaffFlow.exam_reason.state or data.get("controls") != list(_where(query) or ()):
            await query.answer(tr("staff-cancel-not-yours"), show_alert=True)
            return
        await query.answer()
        await state.clear()
        await reply_controls(bot, data, tr("staff-cancelled"))
        return
    record = await services.exams.record(callback_data.result)
    if record is None:
        await query.answer(tr("hint-button-expired"))
        return
    if action == "file":
        stored = await services.exams.view_file(who.id, _name(who), record.id)
        sent = False
        if stored is not None:
            try:
                name = f"{record.item}.{stored.upload.detected_type or 'bin'}"
                await bot.send_document(who.id, BufferedInputFile(stored.data, name),
                                        caption=views.label(tr, record.item))
                sent = True
            except TelegramAPIError:
                sent = False
        await query.answer(tr("staff-exam-file-sent") if sent else tr("staff-start-bot-first"), show_alert=not sent)
        return
    if record.version != callback_data.version:
        await query.answer(tr("staff-exam-conflict"), show_alert=True)
        return
    if action == "confirm":
        decided = await services.exams.confirm(who.id, _name(who), record.id, record.version)
        await query.answer(tr("staff-exam-confirmed") if decided else tr("staff-exam-conflict"),
                           show_alert=decided is None)
        if decided is not None:
            await _redraw(bot, tr, services, decided, _where(query))
        return
    if action == "return":
        await query.answer()
        chat_id = query.message.chat.id if query.message else who.id
        text, keyboard = views.reason_controls(tr, record)
        controls = await bot.send_message(chat_id, text, reply_markup=keyboard)
        prompt_text, force = views.reason_prompt(tr, record, who.id, _name(who))
        prompt = await bot.send_message(chat_id, prompt_text, reply_markup=force)
        await state.set_state(StaffFlow.exam_reason)
        await state.set_data({"result": record.id, "version": record.version, "prompt": prompt.message_id,
                              "controls": [chat_id, controls.message_id], "card": list(_where(query) or ()),
                              "asked_at": services.staff.now().isoformat()})
        return
    await query.answer(tr("hint-button-expired"))


async def reply_controls(bot: Bot, data: dict, text: str) -> None:
    controls = data.get("controls")
    if controls:
        try:
            await bot.edit_message_text(text, chat_id=int(controls[0]), message_id=int(controls[1]))
        except TelegramBadRequest:
            pass


@router.message(StateFilter(StaffFlow.exam_reason), F.text)
async def on_reason(message: Message, bot: Bot, state: FSMContext, translator: Translator,
                    services: Services) -> None:
    tr = _tr(translator, services)
    assert message.from_user is not None
    if not services.staff.may_act(message.from_user.id):
        return
    data = await state.get_data()
    reason = (message.text or "").strip()
    reply = message.reply_to_message
    if reason.startswith("/"):
        if reason.split("@")[0] == "/cancel":
            await state.clear()
            await reply_controls(bot, data, tr("staff-cancelled"))
            await message.reply(tr("staff-cancelled"))
        return
    if reply is None or reply.message_id != data.get("prompt"):
        if message.chat.type == "private":
            await message.answer(tr("staff-reason-reply"))
        return
    if services.staff.expired(data.get("asked_at")):
        await state.clear()
        await reply_controls(bot, data, tr("staff-reason-expired"))
        await message.reply(tr("staff-reason-expired"))
        return
    if not 3 <= len(reason) <= MAX_COMMENT_LENGTH:
        await message.reply(tr("staff-reason-length", max=MAX_COMMENT_LENGTH))
        return
    who = message.from_user
    decided = await services.exams.give_back(who.id, _name(who), int(data["result"]), int(data["version"]), reason)
    await state.clear()
    await reply_controls(bot, data, tr("staff-reason-taken"))
    if decided is None:
        await message.reply(tr("staff-exam-conflict"))
        return
    card = data.get("card")
    await _redraw(bot, tr, services, decided, (int(card[0]), int(card[1])) if card else None)
    await message.reply(tr("staff-exam-returned", item=views.label(tr, decided.item)))
