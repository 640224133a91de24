"""The last line of defence: an unexpected error gives the person a short apology with a reference,
and the log gets the traceback with the update id and that reference, never the update's content; the staff
get the reference and the error's kind (services/alerts.py: at most one message a kind an hour)."""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot, Router
from aiogram.types import ErrorEvent

from bot.i18n import Tr, Translator
from services import DatabaseBusy, Services

log = logging.getLogger("emk.errors")
router = Router(name="errors")


def _chat_id(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        cq = update.callback_query
        return cq.message.chat.id if cq.message is not None else cq.from_user.id
    return None


@router.errors()
async def on_error(
    event: ErrorEvent, bot: Bot, translator: Translator, tr: Tr | None = None,
    answered_callbacks: set[str] | None = None, services: Services | None = None,
) -> bool:
    ref = secrets.token_hex(4).upper()
    busy = isinstance(event.exception, DatabaseBusy)  # another process held the write lock: nothing was stored
    (log.warning if busy else log.error)(
        "update %s failed, ref %s: %s",
        event.update.update_id,
        ref,
        type(event.exception).__name__,
        exc_info=None if busy else (type(event.exception), event.exception, event.exception.__traceback__),
    )
    chat_id = _chat_id(event)
    if chat_id is not None:
        try:
            if tr is None:  # the outer middleware itself failed: the default language
                tr = translator.bind(translator.default)
            text = tr("error-busy" if busy else "error-unexpected", ref=ref)
            query = event.update.callback_query
            if query is not None and query.id not in (answered_callbacks or set()):
                # Telegram takes one answer per press: a second one fails with «query is too old»
                await query.answer()
            await bot.send_message(chat_id, text)  # the apology is a message, so it is seen either way
        except Exception:  # the apology itself must never raise
            log.warning("could not send the apology for ref %s", ref)
    if services is not None and not busy:  # busy: nothing broke, the person is asked to resend
        try:
            await services.alerts.report(type(event.exception).__name__, ref)
        except Exception:  # the database itself may be what failed: the log has the error
            log.warning("could not tell the staff about ref %s", ref)
    return True
