"""What every Bot API request of this bot goes through (a session middleware, registered in create_bot).

aiogram never retries: a 429 («Too Many Requests: retry after N»), a 5xx or a gateway's HTML page
(ClientDecodeError) reaches the handler as an exception, and a direct reply is lost with a traceback.
`ReliableRequests` waits out `retry_after` (when it is short enough to still be worth answering) and retries
server errors with a short backoff, a bounded number of times either way. Network errors are not retried
here: Telegram may have received the message already, and a reply sent twice is worse than one late apology.

The Notifier (bot/notifier.py) has its own pacing, pauses and backoff for pushes, so inside
`notifier_retries()` requests pass straight through.

It also records which callback queries were answered during the current update (`track_answers`), so the
error handler answers a button press only when the failed handler had not: Telegram takes one answer per query.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import ClientDecodeError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger("emk.session")

_NOTIFIER: ContextVar[bool] = ContextVar("emk_notifier_retries", default=False)
_ANSWERED: ContextVar[set[str] | None] = ContextVar("emk_answered_callbacks", default=None)


@contextmanager
def notifier_retries() -> Iterator[None]:
    """Requests made inside are the Notifier's: it retries and paces them itself."""
    token = _NOTIFIER.set(True)
    try:
        yield
    finally:
        _NOTIFIER.reset(token)


def track_answers() -> set[str]:
    """A fresh record of the callback queries answered from now on in this update's task."""
    answered: set[str] = set()
    _ANSWERED.set(answered)
    return answered


class ReliableRequests(BaseRequestMiddleware):
    def __init__(
        self,
        *,
        max_retries: int = 3,
        max_wait: float = 30.0,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.max_retries, self.max_wait, self.backoff, self.sleep = max_retries, max_wait, backoff, sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if _NOTIFIER.get() or isinstance(method, GetUpdates):  # polling has its own backoff
            return await make_request(bot, method)
        name = type(method).__name__
        attempt = 0
        while True:
            try:
                result = await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= self.max_retries or exc.retry_after > self.max_wait:
                    raise
                log.info("%s: flood control, waiting %ss (retry %s)", name, exc.retry_after, attempt + 1)
                await self.sleep(float(exc.retry_after))
            except (TelegramServerError, ClientDecodeError) as exc:
                if attempt >= self.max_retries:
                    raise
                delay = self.backoff * 2**attempt
                log.info("%s: %s, retry %s in %ss", name, type(exc).__name__, attempt + 1, delay)
                await self.sleep(delay)
            else:
                if isinstance(method, AnswerCallbackQuery):
                    answered = _ANSWERED.get()
                    if answered is not None:
                        answered.add(method.callback_query_id)
                return result
            attempt += 1
