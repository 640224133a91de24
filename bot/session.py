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

`BotSession` keeps aiogram's response models alive. aiogram parses every Bot API answer with
`Response[<the method's result type>]`, a pydantic generic model built on first use. pydantic keeps built generic
models in a weak-value cache, and a model class lives in reference cycles, so the garbage collector frees it
between calls and the next call builds it again: about 5 ms of CPU each time. bench/updates.py caught this
rebuilding `Response[Message]` every few replies (a fifth of a bare aiogram bot's CPU, and most of the run-to-run
noise). One strong reference per result type ends it; there are a few dozen result types in all.

`BotSession` also sends every request that uploads no file as one JSON body. aiogram posts a form, and aiohttp
urlencodes it in Python, quoting each byte of a Cyrillic reply one by one, the keyboard's JSON string again: about
an eighth of a wizard step's CPU. `json.dumps(ensure_ascii=False)` runs in C. The Bot API reads a JSON body's
top-level values as the form's fields (a string as its text, anything else as its JSON text), so each field is
prepared as aiogram prepares it and the same fields are left out; nested values go as JSON objects rather than
JSON in a string. A request with a file keeps aiogram's multipart form. The fields are read off the method and
its objects where they are plain (most replies), and a keyboard, built once by the views, is prepared once.

A reply or an edit made inside `for_effect()` (views/ui.reply_or_edit) is checked as every answer is (errors,
flood control), but a successful result is not made into aiogram's objects: nobody reads it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from http import HTTPStatus
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import ClientDecodeError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, TelegramObject
from aiohttp import FormData
from aiohttp.payload import JsonPayload
from pydantic import ValidationError

log = logging.getLogger("emk.session")

_NOTIFIER: ContextVar[bool] = ContextVar("emk_notifier_retries", default=False)
_ANSWERED: ContextVar[set[str] | None] = ContextVar("emk_answered_callbacks", default=None)
_FOR_EFFECT: ContextVar[bool] = ContextVar("emk_for_effect", default=False)
_PINNED: dict[Any, type[Any]] = {}
_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


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


def pin_response_type(returning: Any) -> None:
    """Build `Response[returning]` once and keep it, so pydantic's cache cannot drop it."""
    if returning not in _PINNED:
        _PINNED[returning] = Response[returning]


KEPT_OBJECTS = 1024  # prepared keyboards kept by BotSession: the views' keyboards, in every language


class BotSession(AiohttpSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Telegram objects already prepared, by (id(object), id(bot)); the object and the bot are held, so
        # neither id is reused while its entry lives
        self._objects: dict[tuple[int, int], tuple[TelegramObject, Bot, Any]] = {}

    def build_form_data(  # type: ignore[override]  # aiohttp posts a Payload as it posts a FormData
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> FormData | JsonPayload:
        """The request's body: JSON unless it uploads a file (then aiogram's multipart form, unchanged).

        aiogram's form prepares each field with `prepare_value` (JSON-encoding what is not a string) and leaves
        out a field whose prepared value is falsy: None or an empty string, since a JSON text never is. Here
        the same value is prepared without the JSON-encoding at the top (`_dumps_json=False`: nested values are
        prepared exactly as before) and the same fields are left out."""
        files: dict[str, InputFile] = {}
        fields = self._fields(bot, method, files)
        if fields is None:
            fields = {}
            for key, value in method.model_dump(warnings=False).items():
                prepared = self._prepared(value, bot, files)
                if prepared is None or prepared == "":
                    continue
                fields[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        return JsonPayload(fields, dumps=_dumps)

    def _fields(self, bot: Bot, method: TelegramMethod[Any], files: dict[str, InputFile]) -> dict[str, Any] | None:
        """The fields of a request made only of None, strings, numbers, Defaults and Telegram objects (most
        replies), without dumping the whole method first: a reply has some twenty fields, most of them None,
        and a keyboard's buttons a dozen each. A Telegram object is prepared as aiogram prepares one on its own
        (its model_dump), and kept: the views build a keyboard once and send it again and again (aiogram's
        types are frozen). None: something else (a list, a date, a file, an extra field): the whole method is
        dumped, as aiogram's form does."""
        if method.__pydantic_extra__:
            return None
        fields: dict[str, Any] = {}
        for key, value in method.__dict__.items():
            kind = type(value)
            if value is None:
                continue
            if kind is str or kind is int or kind is bool or kind is float:
                prepared = value
            elif kind is Default:
                prepared = self._prepared(value, bot, files)
            elif isinstance(value, TelegramObject):
                prepared = self._object(value, bot, files)
            else:
                return None
            if prepared is None or prepared == "":
                continue
            fields[key] = prepared
        return fields

    def _object(self, value: TelegramObject, bot: Bot, files: dict[str, InputFile]) -> Any:
        memo = (id(value), id(bot))
        kept = self._objects.get(memo)
        if kept is not None and kept[0] is value and kept[1] is bot:
            return kept[2]
        prepared = self._prepared(value.model_dump(warnings=False), bot, files)
        if not files:  # an object that carries a file is never kept (the file is read once)
            if len(self._objects) >= KEPT_OBJECTS:
                self._objects.clear()
            self._objects[memo] = (value, bot, prepared)
        return prepared

    def _prepared(self, value: Any, bot: Bot, files: dict[str, InputFile]) -> Any:
        """`prepare_value(value, _dumps_json=False)`, with the values a request is mostly made of (strings, numbers,
        plain dicts and lists of them: a keyboard) prepared here; anything else (a Default, a file, a date, an
        enum, a Telegram object) goes to aiogram's. A keyboard of three buttons was some twenty calls of
        aiogram's through its whole chain of isinstance checks."""
        kind = type(value)
        if kind is str or kind is int or kind is bool or kind is float:
            return value  # what aiogram's returns for them without JSON-encoding
        if kind is dict:
            out = {}
            for key, item in value.items():
                if item is not None and (prepared := self._prepared(item, bot, files)) is not None:
                    out[key] = prepared
            return out
        if kind is list:
            return [prepared for item in value
                    if item is not None and (prepared := self._prepared(item, bot, files)) is not None]
        return self.prepare_value(value, bot=bot, files=files, _dumps_json=False)

    async def close(self) -> None:
        """aiogram sleeps 250 ms after closing, for TLS connections to shut down gracefully. A Bot API reached
        over plain HTTP (a local Bot API server, the tests' fake) has no TLS to wait for: closed at once. Every
        restart in the test suite paid that sleep, about a minute of the run in all."""
        if self.api.base.startswith("http://") and self._session is not None and not self._session.closed:
            await self._session.close()
            await asyncio.sleep(0)  # the transports' close callbacks run before the caller goes on
            return
        await super().close()

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        pin_response_type(method.__returning__)  # also for_effect's: other sessions in the process use it
        if _FOR_EFFECT.get() and HTTPStatus.OK <= status_code <= HTTPStatus.IM_USED:
            try:
                response = _ANY_RESPONSE.model_validate(self.json_loads(content))
            except (ValueError, ValidationError):
                response = None  # aiogram's own check says what is wrong with it
            if response is not None and response.ok:
                return response  # its result as Telegram sent it: nobody reads it (`for_effect`)
        return super().check_response(bot, method, status_code, content)


_ANY_RESPONSE = Response[Any]


@contextmanager
def for_effect() -> Iterator[None]:
    """The request made inside is sent for its effect (a reply, an edit): Telegram's answer is checked as
    always (errors, flood control, retries), but the result is left as Telegram sent it instead of being made
    into aiogram's objects, which nobody would read. A sent message came back with its text, entities and
    keyboard, some ten pydantic models with their hooks: ~60 us a reply in a tight loop, about a tenth of a
    wizard step's CPU in place."""
    token = _FOR_EFFECT.set(True)
    try:
        yield
    finally:
        _FOR_EFFECT.reset(token)
