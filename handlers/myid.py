"""/myid: a person's Telegram id (and, in a group, the chat's id), so an administrator fills STAFF_IDS and
STAFF_CHAT_ID without a third-party bot. It answers anyone, in any chat and any state, and stores nothing."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.i18n import Tr

router = Router(name="myid")


@router.message(Command("myid"))
async def on_myid(message: Message, tr: Tr) -> None:
    user_id = message.from_user.id if message.from_user is not None else message.chat.id
    text = tr("opkit-myid", id=str(user_id))  # as text: Fluent would group the digits of a number
    if message.chat.type != "private":
        text += "\n" + tr("opkit-myid-chat", chat_id=str(message.chat.id))
    await message.answer(text)
