"""The last line of defence: an unexpected error gives the person a short apology with a reference,
and the log gets the traceback with the update id and that reference, never the update's content."""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot, Router
from aiogram.types import ErrorEvent

from bot.i18n import Translator
from storage.db import DatabaseBusy
from storage.users import UserRepository

log = logging.getLogger("emk.errors")
router = Router(name="errors")


def _chat_and_user(event: ErrorEvent) -> tuple[int | None, int | None, str | None]:
    update = event.update
    if update.message is not None:
        sender = update.message.from_user
        return (update.message.chat.id, sender.id if sender else None, sender.language_code if sender else None)
    if update.callback_query is not None:
        cq = update.callback_query
        chat_id = cq.message.chat.id if cq.message is not None else cq.from_user.id
        return chat_id, cq.from_user.id, cq.from_user.language_code
    return None, None, None


@router.errors()
async def on_error(event: ErrorEvent, bot: Bot, translator: Translator, users: UserRepository) -> bool:
    ref = secrets.token_hex(4).upper()
    busy = isinstance(event.exception, DatabaseBusy)  # another process held the write lock: nothing was stored
    (log.warning if busy else log.error)(
        "update %s failed, ref %s: %s",
        event.update.update_id,
        ref,
        type(event.exception).__name__,
        exc_info=None if busy else (type(event.exception), event.exception, event.exception.__traceback__),
    )
    chat_id, user_id, language_code = _chat_and_user(event)
    if chat_id is not None:
        try:
            stored = await users.get(user_id) if user_id is not None else None
            locale = translator.resolve_locale(stored.locale if stored else None, language_code)
            if event.update.callback_query is not None:
                await event.update.callback_query.answer()
            key = "error-busy" if busy else "error-unexpected"
            await bot.send_message(chat_id, translator.get(locale, key, ref=ref))
        except Exception:  # the apology itself must never raise
            log.warning("could not send the apology for ref %s", ref)
    return True
