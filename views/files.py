"""What a person sent as a photo or a file: Telegram's ids, and the bytes (sized up before download)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.types import Message

from bot.i18n import Tr
from bot.media import download
from domain.issues import Issue, error
from services.uploads import TelegramFile
from views.wizard import issues_text


def _file_of(message: Message) -> tuple[str, str | None, int | None] | None:
    """(file_id, file_unique_id, declared size) of what was sent: the largest photo size, or the document."""
    if message.photo:
        best = message.photo[-1]
        return best.file_id, best.file_unique_id, best.file_size
    if message.document:
        return message.document.file_id, message.document.file_unique_id, message.document.file_size
    return None


def sent_file(message: Message) -> TelegramFile:
    found = _file_of(message)
    return TelegramFile(found[0], found[1]) if found else TelegramFile()


def rejection(tr: Tr, issues: tuple[Issue, ...], retry_key: str) -> str:
    return issues_text(tr, issues) + "\n\n" + tr(retry_key)


async def download_or_explain(message: Message, bot: Bot, tr: Tr, retry_key: str) -> bytes | None:
    """The file's bytes; or None, after telling the person why it could not be taken."""
    found = _file_of(message)
    data: bytes | Issue | None = None
    if found is not None:
        await bot.send_chat_action(message.chat.id, ChatAction.TYPING)
        data = await download(bot, found[0], found[2])
    if isinstance(data, Issue) or data is None:
        await message.answer(rejection(tr, (data or error("file-format-unsupported"),), retry_key))
        return None
    return data
