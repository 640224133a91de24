"""One outer middleware on every update: the person's user row and locale, injected as `user`, `locale`
and `tr`. It sits on `dp.update`, so messages, buttons, payments, pre-checkout queries, chat-member updates
and the error handler all see the same person and language, resolved once."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TgUser

from bot.i18n import Translator
from bot.session import track_answers
from domain.ratelimit import TokenBucket
from services.accounts import AccountService

log = logging.getLogger("emk.throttle")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserLocaleMiddleware(BaseMiddleware):
    def __init__(self, accounts: AccountService, translator: Translator) -> None:
        self.accounts = accounts
        self.translator = translator

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        user = None
        if tg_user is not None and not tg_user.is_bot:
            private = isinstance(event, Update) and event.message is not None and event.message.chat.type == "private"
            user = await self.accounts.person(tg_user.id, wrote_privately=private)
        locale = self.translator.resolve_locale(
            user.locale if user else None, tg_user.language_code if tg_user else None
        )
        if user is not None and user.locale is None and locale != self.translator.default:
            # Telegram's language, remembered once, so that pushes (sent outside any update) speak it too;
            # /language changes it. A person on the default language costs no write.
            user = await self.accounts.set_locale(user, locale)
        data["user"] = user
        data["locale"] = locale
        data["tr"] = self.translator.bind(locale)
        return await handler(event, data)


class AnswerTracking(BaseMiddleware):
    """For a button press, `answered_callbacks`: the queries answered while the update is handled (recorded
    by bot/session.py), so the error handler answers only a press the failed handler left unanswered."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and event.callback_query is not None:
            data["answered_callbacks"] = track_answers()
        return await handler(event, data)


class HintThrottle(BaseMiddleware):
    """On the catch-all router: one person gets at most `burst` hints in a row, then one every `interval`
    seconds; what comes faster gets no answer. Someone who sends 200 stickers gets a handful of hints, and
    the bot stays clear of Telegram's flood control for everyone else. A token bucket per person
    (domain/ratelimit.py, as the share page's limits): input over the budget is dropped, not queued; at most
    `max_people` are tracked, the least recently seen forgotten first (they start again with a full bucket).
    """

    def __init__(
        self, *, burst: int = 8, interval: float = 5.0, max_people: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.buckets = TokenBucket(burst, 1.0 / interval, max_keys=max_people)
        self.monotonic = monotonic

    def allow(self, person: int) -> bool:
        return self.buckets.take(person, self.monotonic())

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is not None and not self.allow(tg_user.id):
            log.debug("hint throttled")
            return None
        return await handler(event, data)
