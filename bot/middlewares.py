"""Outer middleware: the person's user row and locale, injected into handlers as `user`, `locale`, `tr`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser

from bot.i18n import Translator
from storage.users import UserRepository


class UserLocaleMiddleware(BaseMiddleware):
    def __init__(self, users: UserRepository, translator: Translator) -> None:
        self.users = users
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
            user = await self.users.get_or_create(tg_user.id)
        locale = self.translator.resolve_locale(
            user.locale if user else None, tg_user.language_code if tg_user else None
        )
        data["user"] = user
        data["locale"] = locale
        data["tr"] = self.translator.bind(locale)
        return await handler(event, data)
