"""Staff on an added ELMK's message: 'File' (to the staff member's private chat) and 'Confirm'. Only
staff may press; every view and decision is audited (services/elmk.py); the holder is pushed via the outbox."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.i18n import Translator
from bot.keyboards import ElmkStaffCb
from services import Services
from views import elmk as views

router = Router(name="elmk_staff")


@router.callback_query(ElmkStaffCb.filter())
async def on_press(query: CallbackQuery, callback_data: ElmkStaffCb, bot: Bot, translator: Translator,
                   services: Services) -> None:
    tr = translator.bind(services.staff.locale)
    who = query.from_user
    name = who.full_name or str(who.id)
    if not services.staff.may_act(who.id):
        await query.answer(tr("staff-not-allowed"), show_alert=True)
        await services.elmk.refuse(who.id, callback_data.elmk)
        return
    if callback_data.action == "file":
        stored = await services.elmk.view_file(who.id, name, callback_data.elmk)
        sent = False
        if stored is not None:
            try:
                filename = f"elmk.{stored.upload.detected_type or 'bin'}"
                await bot.send_document(who.id, BufferedInputFile(stored.data, filename))
                sent = True
            except TelegramAPIError:
                sent = False
        await query.answer(tr("staff-exam-file-sent") if sent else tr("staff-start-bot-first"), show_alert=not sent)
        return
    if callback_data.action != "confirm":
        await query.answer(tr("hint-button-expired"))
        return
    done = await services.elmk.confirm(who.id, name, callback_data.elmk, callback_data.version)
    await query.answer(tr("staff-exam-confirmed") if done else tr("staff-elmk-conflict"), show_alert=done is None)
    if done is not None and isinstance(query.message, Message):
        text, keyboard = views.staff_message(tr, done)
        try:
            await query.message.edit_text(text, reply_markup=keyboard)
        except TelegramBadRequest:
            pass  # not modified, or deleted meanwhile
