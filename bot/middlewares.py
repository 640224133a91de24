"""One outer middleware on every update: the person's user row and locale, injected as `user`, `locale`
and `tr`. It sits on `dp.update`, so messages, buttons, payments, pre-checkout queries, chat-member updates
and the error handler all see the same person and language, resolved once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser

from bot.i18n import Translator
from bot.session import track_answers
from services.accounts import AccountService


class UserLocaleMiddleware(BaseMiddleware):
    def __init__(self, accounts: AccountService, translator: Translator) -> None:
        self.accounts = accounts
        self.translator = translator

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        user = None
        if tg_user is not None and not tg_user.is_bot:
            user = await self.accounts.person(tg_user.id)
        locale = self.translator.resolve_locale(
            user.locale if user else None, tg_user.language_code if tg_user else None
        )
        data["user"] = user
        data["locale"] = locale
        data["tr"] = self.translator.bind(locale)
        return await handler(event, data)


class AnswerTracking(BaseMiddleware):
    """For a button press, `answered_callbacks`: the queries answered while the update is handled (recorded
    by bot/session.py), so the error handler answers only a press the failed handler left unanswered."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update) and event.callback_query is not None:
            data["answered_callbacks"] = track_answers()
        return await handler(event, data)
