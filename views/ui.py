"""Small helpers shared by handlers: answer by editing in place, format dates for people."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.i18n import Tr
from bot.session import for_effect


def fmt_date(value: date | None, tr: Tr, tz: ZoneInfo | None = None) -> str:
    """A date as people write it in the person's language (a moment is first put into `tz`)."""
    if value is None:
        return "—"
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    return value.strftime("%d.%m.%Y") if tr.locale == "ru" else value.strftime("%Y-%m-%d")


async def reply_or_edit(
    target: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    new: bool = False,
) -> None:
    """From a button press, edit the message the button was on (navigation in place);
    from a typed message, or when `new`, send a new message."""
    with for_effect():  # what Telegram answers is checked, not read
        if isinstance(target, CallbackQuery):
            message = target.message
            if not new and isinstance(message, Message):
                try:
                    await message.edit_text(text, reply_markup=markup)
                    return
                except TelegramBadRequest as exc:
                    if "message is not modified" in exc.message:
                        return
            if target.bot is not None and message is not None:
                await target.bot.send_message(message.chat.id, text, reply_markup=markup)
            elif target.bot is not None:
                await target.bot.send_message(target.from_user.id, text, reply_markup=markup)
            return
        await target.answer(text, reply_markup=markup)
